#pragma once
// Reads Prometheus text exposition back into samples, strictly enough that a malformed line
// fails the test that rendered it. Test-only.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lokahi::metrics::testing {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Exposition {
  std::map<std::string, std::string> help;  // family -> unescaped help
  std::map<std::string, std::string> type;  // family -> counter|gauge|histogram
  std::vector<Sample> samples;

  // The value of the one sample with this name and exactly these labels; nullopt if none.
  std::optional<double> Value(const std::string& name,
                              const std::map<std::string, std::string>& labels = {}) const;
};

// Throws std::runtime_error quoting the offending line.
Exposition ParseExposition(const std::string& text);

}  // namespace lokahi::metrics::testing
