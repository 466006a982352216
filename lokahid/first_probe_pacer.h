#pragma once
// Paces new checks' first probes: one created check is probed at once, a bulk load of a million
// at 10,000 a second is probed over 100 s instead of in one burst no worker could take. Pure: the
// caller passes the time.

#include <algorithm>
#include <cstdint>

namespace lokahi::lokahid {

class FirstProbePacer {
 public:
  explicit FirstProbePacer(int per_second) : step_us_(1000000 / std::max(per_second, 1)) {}

  // The due time (ms) of the next new check's first probe, created at `now_ms`.
  int64_t Next(int64_t now_ms) {
    next_us_ = std::max(next_us_, now_ms * 1000);
    const int64_t due_ms = next_us_ / 1000;
    next_us_ += step_us_;
    return due_ms;
  }

 private:
  int64_t step_us_;
  int64_t next_us_ = 0;
};

}  // namespace lokahi::lokahid
