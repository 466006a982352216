// A webhook body as any client can POST it to a receiver: the Content-Type (first line) picks the
// format, the rest is decoded as protobuf and as JSON. A body is either a CheckStatus naming its
// check or refused with a reason.

#include <cstdlib>

#include "receivers/core/check_status_body.h"
#include "tests/fuzz/fuzz_input.h"

namespace {
void Decode(lokahi::receivers::BodyFormat format, std::string_view body) {
  const auto decoded = lokahi::receivers::DecodeCheckStatus(format, body);
  if (decoded.status.has_value() == !decoded.error.empty()) std::abort();
  if (decoded.status && decoded.status->check().id().empty()) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto fields = lokahi::fuzz::SplitFields(lokahi::fuzz::AsText(data, size), 2);
  lokahi::receivers::FormatOfContentType(fields[0]);
  Decode(lokahi::receivers::BodyFormat::kProtobuf, fields[1]);
  Decode(lokahi::receivers::BodyFormat::kJson, fields[1]);
  return 0;
}
