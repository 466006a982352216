// The Debian package as an operator receives it: built by CPack from this build tree, its file
// list and dependencies checked, unpacked with dpkg -x into a staging root (never installed on
// this host), its systemd units verified against that root, and its daemons started from the
// staged paths. PID 1 here is not systemd: nothing is started through systemctl.

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/child_process.h"
#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::vector<std::string> kUnits = {"lokahid.service", "healthworker@.service",
                                         "webhookworker.service", "lokahi-samplehook.service"};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Builds the package once for the suite and unpacks it into a staging root.
class PackageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = testing::MakeTempDir("lokahi-package");
    const auto built = testing::RunCommand({LOKAHI_CPACK_COMMAND, "-G", "DEB", "--config",
                                            testing::BinaryPath("CPackConfig.cmake"), "-B", work_},
                                           {}, 180s);
    ASSERT_EQ(built.exit_code, 0) << built.output;
    for (const auto& entry : fs::directory_iterator(work_)) {
      if (entry.path().extension() == ".deb") deb_ = entry.path();
    }
    ASSERT_FALSE(deb_.empty()) << "no .deb in " << work_ << "\n" << built.output;
    stage_ = work_ + "/stage";
    const auto unpacked = testing::RunCommand({"/usr/bin/dpkg", "-x", deb_, stage_}, {}, 60s);
    ASSERT_EQ(unpacked.exit_code, 0) << unpacked.output;
  }
  static void TearDownTestSuite() {
    if (!work_.empty()) fs::remove_all(work_);
  }
  void SetUp() override {
    if (deb_.empty() || stage_.empty()) GTEST_SKIP() << "the package did not build";
  }

  static std::string Field(const std::string& name) {
    const auto result = testing::RunCommand({"/usr/bin/dpkg-deb", "--field", deb_, name}, {}, 30s);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return result.output;
  }

  static inline std::string work_;
  static inline std::string deb_;
  static inline std::string stage_;
};

TEST_F(PackageTest, HoldsTheBinariesManPagesEnvironmentFileAndUnits) {
  const auto listing = testing::RunCommand({"/usr/bin/dpkg-deb", "--contents", deb_}, {}, 30s);
  ASSERT_EQ(listing.exit_code, 0) << listing.output;
  std::set<std::string> files;
  for (const auto& line : Lines(listing.output)) {
    if (line.empty() || line[0] == 'd') continue;  // directories
    files.insert(line.substr(line.rfind(' ') + 1));
  }
  const std::set<std::string> expected = {
      "./etc/lokahi/lokahi.env",
      "./lib/systemd/system/healthworker@.service",
      "./lib/systemd/system/lokahi-samplehook.service",
      "./lib/systemd/system/lokahid.service",
      "./lib/systemd/system/webhookworker.service",
      "./usr/bin/discord_hook",
      "./usr/bin/duke-of-york",
      "./usr/bin/healthworker",
      "./usr/bin/lokahictl",
      "./usr/bin/lokahid",
      "./usr/bin/sample_hook",
      "./usr/bin/slack_hook",
      "./usr/bin/webhookworker",
      "./usr/share/man/man1/lokahictl.1.gz",
      "./usr/share/man/man8/discord_hook.8.gz",
      "./usr/share/man/man8/duke-of-york.8.gz",
      "./usr/share/man/man8/healthworker.8.gz",
      "./usr/share/man/man8/lokahid.8.gz",
      "./usr/share/man/man8/sample_hook.8.gz",
      "./usr/share/man/man8/slack_hook.8.gz",
      "./usr/share/man/man8/webhookworker.8.gz",
  };
  EXPECT_EQ(files, expected) << listing.output;
  // The environment file may hold secrets once edited, and dpkg keeps an operator's edits.
  struct stat info {};
  ASSERT_EQ(stat((stage_ + "/etc/lokahi/lokahi.env").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  const auto conffiles = testing::RunCommand(
      {"/bin/sh", "-c", "dpkg-deb --ctrl-tarfile \"$0\" | tar -xOf - ./conffiles", deb_}, {}, 30s);
  EXPECT_EQ(conffiles.output, "/etc/lokahi/lokahi.env\n");
}

TEST_F(PackageTest, DependsOnRuntimeLibrariesAndRecommendsTheServers) {
  const std::string depends = Field("Depends");
  for (const std::string library : {"libpqxx-6.4", "libnats3", "libgrpc++", "libcurl4"}) {
    EXPECT_NE(depends.find(library), std::string::npos) << library << " missing: " << depends;
  }
  EXPECT_EQ(depends.find("-dev"), std::string::npos) << depends;
  const std::string recommends = Field("Recommends");
  EXPECT_NE(recommends.find("postgresql"), std::string::npos) << recommends;
  EXPECT_NE(recommends.find("nats-server"), std::string::npos) << recommends;
  EXPECT_EQ(Field("Package"), "lokahi\n");
}

TEST_F(PackageTest, TheEnvironmentFileNamesEveryVariableOfTheReadmeTable) {
  const std::string readme = ReadFile(std::string(LOKAHI_SOURCE_DIR) + "/README.md");
  const auto table_start = readme.find("## Configuration");
  ASSERT_NE(table_start, std::string::npos);
  const std::string table =
      readme.substr(table_start, readme.find("\n## ", table_start + 1) - table_start);
  const std::string env = ReadFile(stage_ + "/etc/lokahi/lokahi.env");
  const std::regex row_names("^\\| (`[A-Z_0-9]+`(?: / `[A-Z_0-9]+`)*) \\|");
  const std::regex name("[A-Z_0-9]+");
  int names = 0;
  for (const auto& line : Lines(table)) {
    std::smatch row;
    if (!std::regex_search(line, row, row_names)) continue;
    const std::string cell = row[1];
    for (std::sregex_iterator it(cell.begin(), cell.end(), name), end; it != end; ++it) {
      ++names;
      EXPECT_NE(env.find("\n#" + it->str() + "=\n"), std::string::npos)
          << it->str() << " is not in lokahi.env";
    }
  }
  EXPECT_GT(names, 30);
  // Commented throughout: the daemons' own defaults hold until an operator sets a value.
  for (const auto& line : Lines(env)) {
    EXPECT_TRUE(line.empty() || line[0] == '#') << line;
  }
}

// systemd-analyze verify checks each unit's syntax, that its ExecStart exists and is
// executable in the root, and that its man page (Documentation=man:…) is there. The staging root
// gets systemd's own units first, as a system with the package installed has them.
TEST_F(PackageTest, UnitsPassSystemdAnalyzeVerifyInTheStagingRoot) {
  const auto copied = testing::RunCommand(
      {"/bin/cp", "-an", "/lib/systemd/system/.", stage_ + "/lib/systemd/system/"}, {}, 30s);
  ASSERT_EQ(copied.exit_code, 0) << copied.output;
  std::vector<std::string> argv = {"/usr/bin/systemd-analyze", "verify", "--root=" + stage_};
  for (const auto& unit : kUnits) argv.push_back(stage_ + "/lib/systemd/system/" + unit);
  const auto verified = testing::RunCommand(argv, {{"MANPATH", stage_ + "/usr/share/man"}}, 60s);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  // It only warns about a setting it cannot parse: any output is a finding.
  EXPECT_EQ(verified.output, "");
}

TEST_F(PackageTest, UnitsRestartOnFailureOutwaitTheGraceAndAreHardened) {
  for (const auto& unit : kUnits) {
    const std::string text = ReadFile(stage_ + "/lib/systemd/system/" + unit);
    EXPECT_NE(text.find("\nRestart=on-failure\n"), std::string::npos) << unit;
    EXPECT_NE(text.find("\nDynamicUser=yes\n"), std::string::npos) << unit;
    EXPECT_NE(text.find("\nProtectSystem=strict\n"), std::string::npos) << unit;
    EXPECT_NE(text.find("\nNoNewPrivileges=yes\n"), std::string::npos) << unit;
    std::smatch stop;
    ASSERT_TRUE(std::regex_search(text, stop, std::regex("\nTimeoutStopSec=([0-9]+)s\n"))) << unit;
    EXPECT_GE(std::stoi(stop[1]), 20) << unit;
  }
  // The healthworker may take 5 + 5 s to drain NATS, LOKAHI_STOP_GRACE_MS (15 s) for probes in
  // flight and 30 s to write its last results: systemd must not kill it before.
  const std::string worker = ReadFile(stage_ + "/lib/systemd/system/healthworker@.service");
  std::smatch stop;
  ASSERT_TRUE(std::regex_search(worker, stop, std::regex("\nTimeoutStopSec=([0-9]+)s\n")));
  EXPECT_GT(std::stoi(stop[1]), 5 + 5 + 15 + 30);
}

// The open-file limit the unit gives, as the kernel would apply it.
long UnitLimitNoFile(const std::string& unit_text) {
  std::smatch limit;
  if (!std::regex_search(unit_text, limit, std::regex("\nLimitNOFILE=([0-9]+)\n"))) return -1;
  return std::stol(limit[1]);
}

// The daemons run from the staged /usr/bin, with the settings the units would give them, until
// each reports itself ready on its ops port; the healthworker under the unit's LimitNOFILE with
// the default LOKAHI_MAX_IN_FLIGHT (it refuses to start when the limit cannot hold it).
TEST_F(PackageTest, TheDaemonsStartFromTheStagedPaths) {
  const std::map<std::string, std::string> shared = {
      {"DATABASE_URL", testing::Services().postgres.NewDatabase()},
      {"NATS_URL", testing::Services().nats.Url()},
      {"LOKAHI_LISTEN_ADDRESS", "127.0.0.1"}};
  const long worker_limit =
      UnitLimitNoFile(ReadFile(stage_ + "/lib/systemd/system/healthworker@.service"));
  ASSERT_GT(worker_limit, 1000 + 64);
  struct Daemon {
    std::vector<std::string> argv;
    int port = 0;
    std::unique_ptr<testing::ChildProcess> process;
  };
  std::vector<Daemon> daemons;
  const std::string bin = stage_ + "/usr/bin/";
  // Raising the hard limit needs CAP_SYS_RESOURCE, which a test sandbox may lack: systemd (root)
  // applies the unit's; here the lower of it and ours, still above what the default needs.
  rlimit ours{};
  getrlimit(RLIMIT_NOFILE, &ours);
  const std::string limit = std::to_string(
      std::min<unsigned long>(worker_limit, static_cast<unsigned long>(ours.rlim_max)));
  daemons.push_back({{bin + "lokahid"}});
  daemons.push_back(
      {{"/usr/bin/prlimit", "--nofile=" + limit + ":" + limit, bin + "healthworker"}});
  daemons.push_back({{bin + "webhookworker"}});
  for (auto& daemon : daemons) {
    daemon.port = testing::FreePortBelowEphemeral();
    auto env = shared;
    env["LOKAHI_METRICS_PORT"] = std::to_string(daemon.port);
    env["PORT"] = std::to_string(testing::FreePortBelowEphemeral());
    daemon.process = std::make_unique<testing::ChildProcess>(
        daemon.argv, env, work_ + "/" + fs::path(daemon.argv.back()).filename().string() + ".log");
  }
  for (auto& daemon : daemons) {
    EXPECT_TRUE(testing::WaitFor(
        [&] {
          return testing::HttpGet(daemon.port, "/healthz") == 200 || !daemon.process->Running();
        },
        30s));
    EXPECT_EQ(testing::HttpGet(daemon.port, "/healthz"), 200) << daemon.process->Log();
  }
  const int hook_port = testing::FreePortBelowEphemeral();
  auto hook = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{bin + "sample_hook"},
      std::map<std::string, std::string>{{"PORT", std::to_string(hook_port)}},
      work_ + "/sample_hook.log");
  EXPECT_TRUE(testing::WaitFor([&] { return testing::PortAccepts(hook_port); }, 30s))
      << hook->Log();
  for (auto& daemon : daemons) {
    const int status = daemon.process->Stop(SIGTERM, 60s);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << daemon.process->Log();
  }
  const auto version = testing::RunCommand({bin + "lokahictl", "--version"}, {}, 10s);
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.output.find("lokahictl"), std::string::npos) << version.output;
}

}  // namespace
}  // namespace lokahi
