#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace lokahi::auth {

std::string Base64Encode(std::string_view bytes);
// Standard alphabet with padding; nullopt on any malformed input.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace lokahi::auth
