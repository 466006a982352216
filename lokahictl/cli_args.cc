#include "lokahictl/cli_args.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>

#include "lib/checks/quote.h"

namespace lokahi::lokahictl {

namespace {

constexpr const char* kDescription =
    "lokahictl: manage lokahi-cpp HTTP checks. Output is a table on a "
    "terminal, JSON when piped "
    "(-o forces one).";
constexpr const char* kFooter =
    "--server: http[s]://user:pass@host:port; else $LOKAHI_SERVER, else server "
    "= \"…\" in\n"
    "~/.lokahictl.hcl, else http://127.0.0.1:24253.\n"
    "Use \"lokahictl COMMAND --help\" for a command's flags.";
constexpr const char* kCommandFooter =
    "Global flags, before or after the command: --server URL, -o "
    "json|yaml|table|wide\n"
    "(see lokahictl --help).";

std::string Joined(const std::vector<std::string>& words, const char* separator) {
  std::string joined;
  for (const auto& word : words) joined += (joined.empty() ? "" : separator) + word;
  return joined;
}

bool TakesValue(const std::string& token) {
  return token == "--server" || token == "-o" || token == "--output";
}

// lokahictl has always accepted `--webhook_url` for `--webhook-url`, and `--flag=` for an empty
// value; CLI11 knows neither (it would take the next word as the value of `--flag=`), so both are
// spelled out before parsing. `lokahictl help [COMMAND]` means `--help`.
std::vector<std::string> Normalized(const std::vector<std::string>& argv, bool& help) {
  std::vector<std::string> out;
  bool seen_word = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "--") {
      out.insert(out.end(), argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());
      break;
    }
    if (arg.rfind("--", 0) == 0) {
      const auto eq = arg.find('=');
      std::string name = arg.substr(0, eq);
      std::replace(name.begin(), name.end(), '_', '-');
      out.push_back(name);
      if (eq != std::string::npos) {
        out.push_back(arg.substr(eq + 1));
      } else if (TakesValue(name) && i + 1 < argv.size()) {
        out.push_back(argv[++i]);
      }
      continue;
    }
    if (arg == "-o" && i + 1 < argv.size()) {
      out.push_back(arg);
      out.push_back(argv[++i]);
      continue;
    }
    if (!seen_word && arg == "help") {
      help = true;
      seen_word = true;
      continue;
    }
    if (arg.empty() || arg[0] != '-') seen_word = true;
    out.push_back(arg);
  }
  return out;
}

// `text` as typed when it is short and plain, else quoted, cut and escaped like every message.
std::string Shown(const std::string& text) {
  std::string quoted = checks::Quote(text);
  return quoted == "\"" + text + "\"" ? text : quoted;
}

std::string TypeName(const FlagSpec& flag) {
  if (!flag.choices.empty()) return Joined(flag.choices, "|");
  if (flag.kind == FlagSpec::Kind::kInt) {
    std::string unit = flag.unit.empty() ? "int" : flag.unit;
    std::transform(unit.begin(), unit.end(), unit.begin(), ::toupper);
    return unit;
  }
  return "TEXT";
}

}  // namespace

CommandLine::CommandLine(const CommandTable& table)
    : table_(table), app_(std::make_unique<CLI::App>(kDescription, "lokahictl")) {
  // Unknown words are collected rather than refused, so the errors can say what to do instead.
  app_->allow_extras();
  app_->fallthrough();  // global flags are accepted after the command too
  app_->require_subcommand(0, 1);
  app_->footer(kFooter);
  app_->set_help_all_flag("--help-all", "print the help of every command (the man page's text)");
  app_->get_formatter()->label("SUBCOMMAND", "COMMAND");
  app_->get_formatter()->label("Subcommands", "Commands");
  app_->add_option_function<std::string>(
          "--server", [this](const std::string& v) { parsed_.server = v; },
          "lokahid's address (see below)")
      ->type_name("URL");
  app_->add_option_function<std::string>(
          "-o,--output", [this](const std::string& v) { parsed_.output = v; },
          "output format; default: table on a terminal, JSON otherwise")
      ->type_name(Joined(kOutputFormats, "|"));
  app_->add_flag_callback(
      "--version", [this] { parsed_.version = true; }, "print version, git commit and build date");

  for (const auto& [name, spec] : table) {
    CLI::App* command = app_->add_subcommand(name, spec.summary);
    command->footer(kCommandFooter);
    if (!spec.operand.empty()) {
      command->add_option(spec.operand, parsed_.positional, spec.operand == "ID" ? "check id" : "")
          ->type_name(Joined(spec.operand_choices, "|"))
          ->expected(0, spec.max_operands);
    }
    for (const auto& flag : spec.flags) {
      const std::string option =
          (flag.short_name ? std::string("-") + flag.short_name + "," : "") + "--" + flag.name;
      if (flag.kind == FlagSpec::Kind::kSwitch) {
        command->add_flag_callback(
            option, [this, n = flag.name] { parsed_.flags[n] = "true"; }, flag.help);
        continue;
      }
      if (flag.repeatable) {
        command
            ->add_option_function<std::vector<std::string>>(
                option,
                [this, n = flag.name](const std::vector<std::string>& v) {
                  parsed_.repeated[n] = v;
                },
                flag.help + " (repeatable)")
            ->type_name(TypeName(flag))
            ->expected(1)
            ->allow_extra_args(false)
            ->take_all();
        continue;
      }
      command
          ->add_option_function<std::string>(
              option, [this, n = flag.name](const std::string& v) { parsed_.flags[n] = v; },
              flag.help)
          ->type_name(TypeName(flag));
    }
  }
}

CommandLine::~CommandLine() = default;

ParsedArgs CommandLine::Parse(const std::vector<std::string>& argv) {
  bool help = false;
  std::vector<std::string> args = Normalized(argv, help);
  std::reverse(args.begin(), args.end());  // CLI11 consumes a reversed vector
  try {
    app_->parse(args);
  } catch (const CLI::CallForHelp&) {
    help = true;
  } catch (const CLI::CallForAllHelp&) {
    help = true;
    parsed_.help_all = true;
  } catch (const CLI::ParseError& e) {
    throw UsageError(e.what());
  }
  parsed_.help = help;
  const auto selected = app_->get_subcommands();
  if (!selected.empty()) {
    parsed_.command = selected.front()->get_name();
    parsed_.flag_specs = table_.at(parsed_.command).flags;
  }
  if (help) return parsed_;

  const std::vector<std::string> extras = app_->remaining(true);
  if (!extras.empty()) {
    const std::string& extra = extras.front();
    const std::string quoted = checks::Quote(extra);
    if (parsed_.command.empty()) {
      if (extra.rfind('-', 0) == 0) {
        throw UsageError("unknown flag " + Shown(extra) + " (see lokahictl --help)");
      }
      throw UsageError("unknown command " + quoted + " (see lokahictl --help)");
    }
    const std::string see = " (see lokahictl " + parsed_.command + " --help)";
    if (extra.rfind('-', 0) != 0) {
      throw UsageError("unexpected argument " + quoted + " for " + parsed_.command + see);
    }
    const CLI::App* command = selected.front();
    if (command->get_option_no_throw(extra) != nullptr) {
      throw UsageError("flag " + extra + " must come after the command: lokahictl " +
                       parsed_.command + " " + extra + " …");
    }
    throw UsageError("unknown flag " + Shown(extra) + " for " + parsed_.command + see);
  }
  // A flag with a fixed set of values refuses any other: "--notify-failure-kind-change maybe" must
  // not quietly mean false. Empty stays allowed (Put: back to the default).
  for (const auto& spec : parsed_.flag_specs) {
    const auto given = parsed_.flags.find(spec.name);
    if (spec.choices.empty() || given == parsed_.flags.end() || given->second.empty()) continue;
    if (std::find(spec.choices.begin(), spec.choices.end(), given->second) == spec.choices.end()) {
      throw UsageError("--" + spec.name + " must be " + Joined(spec.choices, " or ") + ", got " +
                       checks::Quote(given->second));
    }
  }
  return parsed_;
}

std::string CommandLine::Help(const std::string& command) const {
  if (parsed_.help_all) return app_->help("", CLI::AppFormatMode::All);
  if (command.empty()) return app_->help();
  if (!table_.contains(command)) {
    throw UsageError("unknown command " + checks::Quote(command) + " (see lokahictl --help)");
  }
  return app_->get_subcommand(command)->help(app_->get_name());
}

ParsedArgs ParseArgs(const std::vector<std::string>& argv, const CommandTable& table) {
  return CommandLine(table).Parse(argv);
}

int IntFlag(const ParsedArgs& args, const std::string& name, int fallback) {
  const auto it = args.flags.find(name);
  if (it == args.flags.end()) return fallback;
  const std::string& text = it->second;
  int64_t min = INT32_MIN, max = INT32_MAX;
  std::string unit;
  for (const auto& spec : args.flag_specs) {
    if (spec.name != name) continue;
    min = spec.min;
    max = spec.max;
    unit = spec.unit.empty() ? "" : " " + spec.unit;
  }
  int64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  const auto [stop, error] = std::from_chars(begin, end, value);
  const bool all_digits = stop == end && begin != end;
  if (error == std::errc::invalid_argument || (error == std::errc() && !all_digits) ||
      (error == std::errc::result_out_of_range &&
       !std::all_of(begin + (*begin == '-' ? 1 : 0), end, ::isdigit))) {
    throw UsageError("--" + name + " must be a whole number, got " + checks::Quote(text));
  }
  if (error == std::errc::result_out_of_range || value < min || value > max) {
    throw UsageError("--" + name + " must be between " + std::to_string(min) + " and " +
                     std::to_string(max) + unit + ", got " + Shown(text));
  }
  return static_cast<int>(value);
}

}  // namespace lokahi::lokahictl
