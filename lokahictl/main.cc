// lokahictl: the command-line client of lokahid. Wiring only.

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "lokahictl/commands.h"

namespace {

std::optional<std::string> ReadHclFile() {
  const char* home = std::getenv("HOME");
  if (!home) return std::nullopt;
  std::ifstream in(std::string(home) + "/.lokahictl.hcl");
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<std::string> EnvVar(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::optional<std::string>(value) : std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lokahi::lokahictl;
  try {
    const auto args = ParseArgs(std::vector<std::string>(argv + 1, argv + argc), CommandFlags());
    if (args.command.empty()) {
      (args.help ? std::cout : std::cerr) << Usage();
      return args.help ? 0 : 2;
    }
    if (args.help) {
      std::cout << CommandUsage(args.command);
      return 0;
    }
    const auto server =
        ParseServerAddress(ResolveServer(args.server, EnvVar("LOKAHI_SERVER"), ReadHclFile()));
    Commands commands(server, std::cout, std::cerr);
    return commands.Run(args);
  } catch (const UsageError& e) {
    std::cerr << "lokahictl: " << e.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << "lokahictl: " << e.what() << "\n";
    return 2;
  }
}
