#pragma once
// What one delivery tells a receiver. The relays group notifications that arrive together into one
// chat message, so they are kept as values rather than formatted one by one.

#include <variant>

#include "lokahi.pb.h"

namespace lokahi::receivers {

// A check's change of state.
using Notification = std::variant<github::xe::lokahi::CheckStatus>;

}  // namespace lokahi::receivers
