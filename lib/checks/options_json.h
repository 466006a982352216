#pragma once
// How the check options stored as JSON in Postgres are spelled: one codec for the store (which
// writes and reads them) and the scheduler's catalog (which reads them).

#include <map>
#include <string>

#include "lib/checks/check.h"

namespace lokahi::checks {

// {"team":"payments"}: a JSON object of strings, keys in order.
std::string LabelsToJson(const std::map<std::string, std::string>& labels);
// Throws std::invalid_argument when `json` is not an object of strings (never for what
// LabelsToJson wrote).
std::map<std::string, std::string> LabelsFromJson(const std::string& json);

// checks.probe: the request options, only those not at their default, so a plain GET stores
// "{}" (and the scheduler's catalog can skip it cheaply). Header values are stored as given.
std::string ProbeToJson(const CheckOptions& options);
// Sets options.request from what ProbeToJson wrote; fields it lacks take their defaults. Throws
// std::invalid_argument on anything else.
void ProbeFromJson(const std::string& json, CheckOptions& options);

}  // namespace lokahi::checks
