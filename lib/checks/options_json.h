#pragma once
// How the check options stored as JSON in Postgres are spelled: one codec for the store (which
// writes and reads them) and the scheduler's catalog (which reads them).

#include <map>
#include <string>

namespace lokahi::checks {

// {"team":"payments"}: a JSON object of strings, keys in order.
std::string LabelsToJson(const std::map<std::string, std::string>& labels);
// Throws std::invalid_argument when `json` is not an object of strings (never for what
// LabelsToJson wrote).
std::map<std::string, std::string> LabelsFromJson(const std::string& json);

}  // namespace lokahi::checks
