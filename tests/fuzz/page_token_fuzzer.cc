// List's page_token as a client sends it back: parsing must refuse or give a cursor, and a cursor
// it gives must name a check id and describe the token it came from.

#include <cstdlib>
#include <string>

#include "lokahid/page_token.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto cursor = lokahi::lokahid::ParsePageToken(lokahi::fuzz::AsText(data, size));
  if (cursor && cursor->id.empty()) std::abort();
  return 0;
}
