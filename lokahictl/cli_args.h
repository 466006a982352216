#pragma once
// Command-line parsing: `lokahictl [--server S] COMMAND [ARGS] [--flag value]…`. Pure.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lokahi::lokahictl {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FlagSpec {
  std::string name;  // without dashes, e.g. "webhook-url"
  std::string help;
  bool is_switch = false;  // takes no value
};

struct ParsedArgs {
  std::optional<std::string> server;
  std::string command;
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;
  bool help = false;
};

// `allowed_flags(command)` lists the flags a command accepts; unknown flags are a UsageError.
ParsedArgs ParseArgs(const std::vector<std::string>& argv,
                     const std::map<std::string, std::vector<FlagSpec>>& command_flags);

// Integer flag value with the flag named in any error.
int IntFlag(const ParsedArgs& args, const std::string& name, int fallback);

}  // namespace lokahi::lokahictl
