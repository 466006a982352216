#include "lokahictl/cli_args.h"

#include <algorithm>

namespace lokahi::lokahictl {

ParsedArgs ParseArgs(const std::vector<std::string>& argv,
                     const std::map<std::string, std::vector<FlagSpec>>& command_flags) {
  ParsedArgs parsed;
  const std::vector<FlagSpec>* specs = nullptr;
  for (size_t i = 0; i < argv.size(); ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help" || (arg == "help" && parsed.command.empty())) {
      parsed.help = true;
      continue;
    }
    if (arg.rfind("--", 0) == 0) {
      std::string name = arg.substr(2);
      std::optional<std::string> value;
      if (const auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      std::replace(name.begin(), name.end(), '_', '-');
      if (name == "server") {
        if (!value) {
          if (i + 1 >= argv.size()) throw UsageError("--server needs a value");
          value = argv[++i];
        }
        parsed.server = *value;
        continue;
      }
      if (!specs) throw UsageError("flag --" + name + " given before a command");
      const auto spec = std::find_if(specs->begin(), specs->end(),
                                     [&](const FlagSpec& s) { return s.name == name; });
      if (spec == specs->end()) {
        throw UsageError("unknown flag --" + name + " for " + parsed.command +
                         " (see lokahictl " + parsed.command + " --help)");
      }
      if (spec->is_switch) {
        parsed.flags[name] = value.value_or("true");
        continue;
      }
      if (!value) {
        if (i + 1 >= argv.size()) throw UsageError("--" + name + " needs a value");
        value = argv[++i];
      }
      parsed.flags[name] = *value;
      continue;
    }
    if (parsed.command.empty()) {
      parsed.command = arg;
      const auto it = command_flags.find(arg);
      if (it == command_flags.end()) {
        throw UsageError("unknown command \"" + arg + "\" (see lokahictl --help)");
      }
      specs = &it->second;
      continue;
    }
    parsed.positional.push_back(arg);
  }
  return parsed;
}

int IntFlag(const ParsedArgs& args, const std::string& name, int fallback) {
  const auto it = args.flags.find(name);
  if (it == args.flags.end()) return fallback;
  size_t consumed = 0;
  int value = 0;
  try {
    value = std::stoi(it->second, &consumed);
  } catch (const std::exception&) {
    consumed = 0;
  }
  if (consumed == 0 || consumed != it->second.size()) {
    throw UsageError("--" + name + " must be a whole number, got \"" + it->second + "\"");
  }
  return value;
}

}  // namespace lokahi::lokahictl
