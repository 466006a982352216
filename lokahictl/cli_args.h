#pragma once
// Command-line parsing: `lokahictl [--server S] [-o FORMAT] COMMAND [ARGS] [--flag value]…`, on
// CLI11. Commands and their flags are declared once, as data (a CommandTable); the CLI11 app built
// from it parses, prints --help and feeds the completion generator. Pure: no I/O.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace lokahi::lokahictl {

// A mistake in the command line: main prints it and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FlagSpec {
  enum class Kind { kText, kInt, kSwitch };
  // Without dashes, e.g. "webhook-url"; "--webhook_url" is accepted too.
  std::string name;
  std::string help;
  Kind kind = Kind::kText;
  // kInt: the accepted range, named in the error (`--every must be between 0 and 86400 seconds`).
  int64_t min = 0;
  int64_t max = INT32_MAX;
  std::string unit;  // "seconds", shown after the range
  // kText: the values accepted, shown in --help and offered by shell completion.
  std::vector<std::string> choices;
  char short_name = 0;  // e.g. 'f' for -f; 0 = the long form only
  // kText: may be given several times (--label a=1 --label b=2); the values are in
  // ParsedArgs::repeated, in order, and not in ParsedArgs::flags.
  bool repeatable = false;
};

struct CommandSpec {
  std::string summary;
  std::string operand;  // "ID" when the command takes a check ID, else empty
  std::vector<FlagSpec> flags;
  std::vector<std::string> operand_choices;  // e.g. bash, zsh
  int max_operands = 1;                      // `alert ack ID`: an action and its ID
};

using CommandTable = std::map<std::string, CommandSpec>;

struct ParsedArgs {
  std::optional<std::string> server;
  std::optional<std::string> output;  // -o json|yaml|table|wide
  std::string command;
  std::vector<std::string> positional;
  // The flags given, by name; a flag given "" is present with an empty value.
  std::map<std::string, std::string> flags;
  // Repeatable flags given, by name: every value, in order.
  std::map<std::string, std::vector<std::string>> repeated;
  std::vector<FlagSpec> flag_specs;  // the command's, for range checks
  bool help = false;
  bool help_all = false;  // --help-all: every command's help, as the man page shows it
  bool version = false;
};

// The names the -o flag accepts.
inline const std::vector<std::string> kOutputFormats = {"json", "yaml", "table", "wide"};

// The CLI11 app of a command table. Owns the app; Parse may be called once. `table` must outlive
// it.
class CommandLine {
 public:
  explicit CommandLine(const CommandTable& table);
  ~CommandLine();
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  // Throws UsageError naming the bad part (unknown command or flag, missing value).
  ParsedArgs Parse(const std::vector<std::string>& argv);
  // The whole program's help, or a command's ("Usage: lokahictl put [OPTIONS] ID …"); after
  // --help-all, every command's.
  std::string Help(const std::string& command = "") const;
  const CLI::App& app() const { return *app_; }

 private:
  const CommandTable& table_;
  std::unique_ptr<CLI::App> app_;
  ParsedArgs parsed_;
};

ParsedArgs ParseArgs(const std::vector<std::string>& argv, const CommandTable& table);

// Integer flag value with the flag named in any error, checked against the flag's range.
int IntFlag(const ParsedArgs& args, const std::string& name, int fallback);

}  // namespace lokahi::lokahictl
