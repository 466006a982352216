#pragma once
// Validation of user-supplied check options. Messages name the field and say what is allowed, so
// the API can return them as INVALID_ARGUMENT unchanged.

#include <optional>
#include <string>

#include "lib/checks/check.h"

namespace lokahi::checks {

struct ValidationLimits {
  int min_every_seconds = kDefaultMinEverySeconds;
};

// Expects defaults applied. Returns the first problem found, or nullopt when valid.
std::optional<std::string> Validate(const CheckOptions& options, const ValidationLimits& limits);

}  // namespace lokahi::checks
