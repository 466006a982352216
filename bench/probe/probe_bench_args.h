// What bench/probe's two programs share: their command line, the target's URLs and the CPU clock.
#pragma once

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace lokahi::bench {

struct ProbeBenchArgs {
  int port = 0;
  int seconds = 20;
  size_t in_flight = 1000;
  // --tls CA: the target speaks TLS with a certificate CA signed; empty = plain HTTP.
  std::string ca_bundle;
  // --resume (with --tls): resume TLS sessions instead of a full handshake per request.
  bool resume = false;
  // --latency-ms MS: the target answers after MS (bench/probe_rate puts delay_target behind it),
  // so probes stay in flight that long: for memory per probe in flight, not for rates.
  int latency_ms = 0;
  // http(s)://127.0.0.{2..}:PORT/, one per address the target listens on.
  std::vector<std::string> urls;
};

// [--tls CA_FILE [--resume]] [--latency-ms MS] PORT [seconds=20] [in_flight=1000] [addresses=200];
// exits with the usage on a missing port.
inline ProbeBenchArgs ParseProbeBenchArgs(int argc, char** argv) {
  ProbeBenchArgs args;
  int at = 1;
  bool bad = false;
  for (; at < argc && argv[at][0] == '-'; ++at) {
    const std::string flag = argv[at];
    if (flag == "--tls" && at + 1 < argc) {
      args.ca_bundle = argv[++at];
    } else if (flag == "--resume") {
      args.resume = true;
    } else if (flag == "--latency-ms" && at + 1 < argc) {
      args.latency_ms = std::atoi(argv[++at]);
    } else {
      bad = true;
    }
  }
  if (bad || at >= argc || (args.resume && args.ca_bundle.empty())) {
    std::fprintf(stderr,
                 "usage: %s [--tls CA_FILE [--resume]] [--latency-ms MS] PORT [seconds=20] "
                 "[in_flight=1000] "
                 "[addresses=200]\n",
                 argv[0]);
    std::exit(2);
  }
  args.port = std::stoi(argv[at]);
  if (argc > at + 1) args.seconds = std::stoi(argv[at + 1]);
  if (argc > at + 2) args.in_flight = std::stoul(argv[at + 2]);
  const int addresses = argc > at + 3 ? std::stoi(argv[at + 3]) : 200;
  const std::string scheme = args.ca_bundle.empty() ? "http" : "https";
  for (int i = 0; i < addresses; ++i) {
    args.urls.push_back(scheme + "://127.0.0." + std::to_string(2 + i) + ":" +
                        std::to_string(args.port) + "/");
  }
  return args;
}

// User + system seconds of this process: on loopback that includes the kernel's TCP work for both
// ends of each connection.
inline double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// This process's resident set in kB: VmRSS now, or VmHWM (its peak) with `peak`; 0 if unreadable.
inline long ResidentKb(bool peak = false) {
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (!status) return 0;
  const char* key = peak ? "VmHWM:" : "VmRSS:";
  char line[256];
  long kb = 0;
  while (std::fgets(line, sizeof line, status)) {
    if (std::strncmp(line, key, std::strlen(key)) == 0) kb = std::atol(line + std::strlen(key));
  }
  std::fclose(status);
  return kb;
}

}  // namespace lokahi::bench
