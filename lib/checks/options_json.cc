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

std::string ProbeToJson(const CheckOptions& options) {
  const RequestOptions& r = options.request;
  nlohmann::json out = nlohmann::json::object();
  if (r.method != "GET") out["method"] = r.method;
  if (!r.headers.empty()) {
    auto& headers = out["headers"] = nlohmann::json::array();
    for (const auto& h : r.headers) headers.push_back({h.name, h.value});
  }
  if (!r.body.empty()) out["body"] = r.body;
  if (!r.follow_redirects) out["follow_redirects"] = false;
  if (r.ip_version != IpVersion::kAny) out["ip_version"] = static_cast<int>(r.ip_version);
  // Bodies and header values need not be UTF-8; replacing would change what is sent, so such a
  // value is refused by validation instead (see InvalidRequest).
  return out.dump();
}

void ProbeFromJson(const std::string& text, CheckOptions& options) {
  try {
    const auto in = nlohmann::json::parse(text);
    if (!in.is_object()) throw std::invalid_argument("probe options are not a JSON object");
    RequestOptions r;
    r.method = in.value("method", std::string("GET"));
    for (const auto& h : in.value("headers", nlohmann::json::array())) {
      r.headers.push_back({h.at(0).get<std::string>(), h.at(1).get<std::string>()});
    }
    r.body = in.value("body", std::string());
    r.follow_redirects = in.value("follow_redirects", true);
    r.ip_version = static_cast<IpVersion>(in.value("ip_version", 0));
    options.request = std::move(r);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("probe options: ") + e.what());
  }
}

}  // namespace lokahi::checks
