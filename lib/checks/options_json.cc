#include "lib/checks/options_json.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace lokahi::checks {

std::string LabelsToJson(const std::map<std::string, std::string>& labels) {
  return nlohmann::json(labels).dump();
}

std::map<std::string, std::string> LabelsFromJson(const std::string& json) {
  const auto parsed = nlohmann::json::parse(json, nullptr, false);
  if (!parsed.is_object()) throw std::invalid_argument("labels are not a JSON object");
  std::map<std::string, std::string> labels;
  for (const auto& [key, value] : parsed.items()) {
    if (!value.is_string()) throw std::invalid_argument("label " + key + " is not a string");
    labels.emplace(key, value.get<std::string>());
  }
  return labels;
}

}  // namespace lokahi::checks
