#pragma once
// A daemon holding one socket per in-flight probe or delivery needs more descriptors than the
// usual soft limit (1024). The hard limit is what an operator granted, so the soft one is raised
// to it; a configuration that still cannot fit is refused at start, not found at the 1025th probe.
#include <cstdint>
#include <string>

namespace lokahi::daemon {

// Raises the soft RLIMIT_NOFILE to the hard limit and returns the limit now in force.
uint64_t RaiseOpenFilesLimit();

// Throws std::runtime_error naming `setting` when `needed` descriptors exceed `limit`.
void RequireOpenFiles(uint64_t needed, uint64_t limit, const std::string& setting);

}  // namespace lokahi::daemon
