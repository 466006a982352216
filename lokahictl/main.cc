// lokahictl: the command-line client of lokahid. Wiring only.

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "lib/version/version.h"
#include "lokahictl/commands.h"
#include "lokahictl/completion.h"

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

// Tables (coloured unless NO_COLOR) for a terminal; JSON for pipes and files, as scripts expect.
lokahi::lokahictl::output::Renderer RendererFor(const std::optional<std::string>& flag) {
  using namespace lokahi::lokahictl::output;
  const bool terminal = isatty(STDOUT_FILENO) == 1;
  const Format format = flag ? ParseFormat(*flag) : (terminal ? Format::kTable : Format::kJson);
  const auto term = EnvVar("TERM");
  const bool color = terminal && !EnvVar("NO_COLOR") && term.value_or("") != "dumb";
  return Renderer(format, TableStyle{std::chrono::system_clock::now(), color});
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lokahi::lokahictl;
  try {
    CommandLine command_line(CommandFlags());
    auto args = command_line.Parse(std::vector<std::string>(argv + 1, argv + argc));
    if (args.version) {
      std::cout << lokahi::version::VersionText("lokahictl");
      return 0;
    }
    if (args.help || args.command.empty()) {
      (args.help ? std::cout : std::cerr) << command_line.Help(args.command);
      return args.help ? 0 : 2;
    }
    if (args.command == "completion") {
      const std::string shell = args.positional.size() == 1 ? args.positional[0] : "";
      if (shell == "bash") {
        std::cout << BashCompletion(command_line.app());
      } else if (shell == "zsh") {
        std::cout << ZshCompletion(command_line.app());
      } else {
        throw UsageError("lokahictl completion takes bash or zsh");
      }
      return 0;
    }
    auto renderer = RendererFor(args.output);
    const auto server =
        ParseServerAddress(ResolveServer(args.server, EnvVar("LOKAHI_SERVER"), ReadHclFile()));
    Commands commands(server, std::move(renderer), std::cout, std::cerr);
    return commands.Run(args);
  } catch (const UsageError& e) {
    std::cerr << "lokahictl: " << e.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << "lokahictl: " << e.what() << "\n";
    return 2;
  }
}
