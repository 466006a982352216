#pragma once
#include <chrono>
#include <optional>
#include <string>

namespace lokahi::store {

using TimePoint = std::chrono::system_clock::time_point;

// Reads `extract(epoch from ts) * 1e6` style values: the store selects timestamps as
// microseconds since the epoch so no text date parsing is needed.
TimePoint FromUnixMicros(long long micros);
long long ToUnixMillis(TimePoint t);

}  // namespace lokahi::store
