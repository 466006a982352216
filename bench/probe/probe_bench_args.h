// What bench/probe's two programs share: their command line, the target's URLs and the CPU clock.
#pragma once

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace lokahi::bench {

struct ProbeBenchArgs {
  int port = 0;
  int seconds = 20;
  size_t in_flight = 1000;
  // http://127.0.0.{2..}:PORT/, one per address the target listens on.
  std::vector<std::string> urls;
};

// PORT [seconds=20] [in_flight=1000] [addresses=200]; exits with the usage on a missing port.
inline ProbeBenchArgs ParseProbeBenchArgs(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PORT [seconds=20] [in_flight=1000] [addresses=200]\n", argv[0]);
    std::exit(2);
  }
  ProbeBenchArgs args;
  args.port = std::stoi(argv[1]);
  if (argc > 2) args.seconds = std::stoi(argv[2]);
  if (argc > 3) args.in_flight = std::stoul(argv[3]);
  const int addresses = argc > 4 ? std::stoi(argv[4]) : 200;
  for (int i = 0; i < addresses; ++i) {
    args.urls.push_back("http://127.0.0." + std::to_string(2 + i) + ":" +
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

}  // namespace lokahi::bench
