#pragma once
// What a binary was built from: the project's version, the git commit and the build date, fixed at
// build time by CMake (write_build_info.cmake). A build outside a git checkout says "unknown".

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace lokahi::version {

struct BuildInfo {
  std::string_view version;  // the CMake project's VERSION, e.g. 0.1.0
  std::string_view commit;   // HEAD's 12 hex digits, or "unknown"
  std::string_view date;     // UTC, YYYY-MM-DD (SOURCE_DATE_EPOCH when set)
};

BuildInfo Build();

// "lokahid 0.1.0\ncommit 0123456789ab\nbuilt 2026-12-06\n": the first line is what help2man and
// people read as the version.
std::string VersionText(std::string_view program);

// For daemons, which take their configuration from the environment and no arguments: answers
// `--version` and `-h`/`--help` (with `help`, the daemon's own description) on `out`, refuses any
// other argument on `err`. Returns the exit code when main should return at once, nullopt when
// there were no arguments and the daemon should start.
std::optional<int> AnswerCommandLine(int argc, const char* const* argv, std::string_view program,
                                     std::string_view help, std::ostream& out, std::ostream& err);

}  // namespace lokahi::version
