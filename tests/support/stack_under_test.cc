#include "tests/support/stack_under_test.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/shared_services.h"

namespace lokahi::testing {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(30);

}  // namespace

StackUnderTest::StackUnderTest(std::string database_url)
    : database_url_(database_url.empty() ? Services().postgres.NewDatabase()
                                         : std::move(database_url)),
      nats_url_(Services().nats.Url()),
      log_dir_(MakeTempDir("lokahi-stack")),
      lokahid_port_(FreePortBelowEphemeral()),
      sample_hook_port_(FreePortBelowEphemeral()) {}

StackUnderTest::~StackUnderTest() {
  // Newest first: the producers stop before what they feed.
  for (auto it = processes_.rbegin(); it != processes_.rend(); ++it) {
    (*it)->Stop(SIGTERM, std::chrono::seconds(10));
  }
  if (::testing::Test::HasFailure()) {
    std::cerr << "[stack] the test failed: daemon logs kept in " << log_dir_ << "\n";
    for (const auto& process : processes_) std::cerr << "[stack]   " << process->log_path() << "\n";
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(log_dir_, ignored);
}

ChildProcess& StackUnderTest::Start(const std::string& binary, Env env, int health_port,
                                    int service_port) {
  const std::string name = std::filesystem::path(binary).filename().string();
  auto process = std::make_unique<ChildProcess>(
      std::vector<std::string>{BinaryPath(binary)}, std::move(env),
      log_dir_ + "/" + std::to_string(started_++) + "-" + name + ".log");
  const bool ready = WaitFor(
      [&] {
        if (!process->Running()) return true;
        return HttpGet(health_port, "/healthz") == 200 &&
               (service_port == 0 || PortAccepts(service_port));
      },
      kStartTimeout);
  const bool running = process->Running();
  const std::string log = process->Log();
  processes_.push_back(std::move(process));  // its log is kept with the others on failure
  if (!ready || !running) {
    throw std::runtime_error(name +
                             (running ? " was not ready (GET /healthz on " +
                                            std::to_string(health_port) + ") within 30 s"
                                      : " exited while starting") +
                             "; its log:\n" + log);
  }
  return *processes_.back();
}

ChildProcess& StackUnderTest::StartLokahid(const Env& env) {
  const int metrics_port = FreePortBelowEphemeral();
  Env all = {{"DATABASE_URL", database_url_},
             {"NATS_URL", nats_url_},
             {"PORT", std::to_string(lokahid_port_)},
             {"LOKAHI_METRICS_PORT", std::to_string(metrics_port)}};
  for (const auto& [key, value] : env) all[key] = value;
  return Start("lokahid/lokahid", std::move(all), metrics_port, lokahid_port_);
}

ChildProcess& StackUnderTest::StartWorker(const std::string& binary, const Env& env) {
  const int metrics_port = FreePortBelowEphemeral();
  Env all = {{"DATABASE_URL", database_url_},
             {"NATS_URL", nats_url_},
             {"LOKAHI_METRICS_PORT", std::to_string(metrics_port)}};
  for (const auto& [key, value] : env) all[key] = value;
  return Start(binary, std::move(all), metrics_port, 0);
}

ChildProcess& StackUnderTest::StartHealthworker(const Env& env) {
  return StartWorker("healthworker/healthworker", env);
}

ChildProcess& StackUnderTest::StartWebhookworker(const Env& env) {
  return StartWorker("webhookworker/webhookworker", env);
}

ChildProcess& StackUnderTest::StartSampleHook(const Env& env) {
  Env all = {{"PORT", std::to_string(sample_hook_port_)}};
  for (const auto& [key, value] : env) all[key] = value;
  return Start("receivers/sample_hook", std::move(all), sample_hook_port_, 0);
}

bool StackUnderTest::StopCleanly(ChildProcess& process, std::chrono::milliseconds grace) {
  const int status = process.Stop(SIGTERM, grace);
  return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string StackUnderTest::LokahidAddress() const {
  return "127.0.0.1:" + std::to_string(lokahid_port_);
}

std::string StackUnderTest::LokahidUrl(const std::string& path) const {
  return "http://" + LokahidAddress() + path;
}

std::string StackUnderTest::SampleHookUrl(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(sample_hook_port_) + path;
}

}  // namespace lokahi::testing
