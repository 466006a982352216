#include "lib/daemon/open_files.h"

#include <sys/resource.h>

#include <stdexcept>

namespace lokahi::daemon {

uint64_t RaiseOpenFilesLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<uint64_t>(limit.rlim_cur);
}

void RequireOpenFiles(uint64_t needed, uint64_t limit, const std::string& setting) {
  if (needed <= limit) return;
  throw std::runtime_error(setting + " needs about " + std::to_string(needed) +
                           " open files but the limit is " + std::to_string(limit) +
                           " (raise the hard limit: ulimit -Hn, LimitNOFILE=, or docker --ulimit nofile)");
}

}  // namespace lokahi::daemon
