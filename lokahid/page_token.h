#pragma once
// List's page tokens: where the previous page ended (the keys of its last check in the page's
// order: creation time and id, or also its name, state or latest change).
// Opaque to clients; versioned so the form can change without misreading old tokens.

#include <optional>
#include <string>
#include <string_view>

#include "lib/checks/check.h"
#include "lib/store/check_store.h"

namespace lokahi::lokahid {

std::string PageTokenAfter(const checks::Check& last,
                           store::ListOrder order = store::ListOrder::kCreated);

// nullopt when `token` is not one PageTokenAfter made, including tokens naming a creation time
// outside 1970-9999 (so the store never sees a cursor it cannot compute with).
std::optional<store::ListCursor> ParsePageToken(std::string_view token);

}  // namespace lokahi::lokahid
