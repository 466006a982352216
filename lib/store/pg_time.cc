#include "lib/store/pg_time.h"

namespace lokahi::store {

TimePoint FromUnixMicros(long long micros) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(micros)));
}

long long ToUnixMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace lokahi::store
