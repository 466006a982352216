#include "lokahid/service/api_status.h"

#include <array>

namespace lokahi::lokahid {

TwirpError TwirpErrorOf(ApiCode code) {
  // Indexed by the gRPC code.
  static constexpr std::array<TwirpError, 17> kTable = {{
      {"", 200},
      {"canceled", 408},
      {"unknown", 500},
      {"invalid_argument", 400},
      {"deadline_exceeded", 408},
      {"not_found", 404},
      {"already_exists", 409},
      {"permission_denied", 403},
      {"resource_exhausted", 429},
      {"failed_precondition", 412},
      {"aborted", 409},
      {"out_of_range", 400},
      {"unimplemented", 501},
      {"internal", 500},
      {"unavailable", 503},
      {"dataloss", 500},
      {"unauthenticated", 401},
  }};
  const auto index = static_cast<size_t>(code);
  return index < kTable.size() ? kTable[index] : kTable[static_cast<size_t>(ApiCode::kUnknown)];
}

}  // namespace lokahi::lokahid
