#include "lib/version/version.h"

namespace lokahi::version {

std::string VersionText(std::string_view program) {
  const BuildInfo build = Build();
  std::string text;
  text.append(program).append(" ").append(build.version).append("\n");
  text.append("commit ").append(build.commit).append("\n");
  text.append("built ").append(build.date).append("\n");
  return text;
}

std::optional<int> AnswerCommandLine(int argc, const char* const* argv, std::string_view program,
                                     std::string_view help, std::ostream& out, std::ostream& err) {
  if (argc <= 1) return std::nullopt;
  const std::string_view arg = argv[1];
  if (argc == 2 && arg == "--version") {
    out << VersionText(program);
    return 0;
  }
  if (argc == 2 && (arg == "--help" || arg == "-h")) {
    out << "Usage: " << program << " [--help | --version]\n\n"
        << help << "\n\nOptions:\n"
        << "  -h, --help  print this help and exit\n"
        << "  --version   print version, git commit and build date and exit\n";
    return 0;
  }
  err << program
      << ": takes no arguments, its configuration is environment variables; "
         "got \""
      << arg.substr(0, 100) << "\" (see " << program << " --help)\n";
  return 2;
}

}  // namespace lokahi::version
