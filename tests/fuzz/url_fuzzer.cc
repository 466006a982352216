// Check URLs as a client sends them through the API: the URL parser and the validation of a
// check's url, webhook_url and playbook_url. Validation must answer (a message or nullopt), never
// crash, and a URL it accepts must parse.

#include <cstdlib>
#include <string>

#include "lib/checks/check.h"
#include "lib/checks/url.h"
#include "lib/checks/validation.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(lokahi::fuzz::AsText(data, size));
  std::string why;
  const auto parsed = lokahi::checks::ParseHttpUrl(text, &why);
  if (!parsed && why.empty()) std::abort();  // a refusal always says why

  lokahi::checks::CheckOptions options;
  options.url = text;
  options.webhook_url = text;
  options.playbook_url = text;
  lokahi::checks::ApplyDefaults(options);
  const auto problem = lokahi::checks::Validate(options, lokahi::checks::ValidationLimits{});
  if (!problem && !parsed) std::abort();  // validation accepted a URL the parser refuses
  return 0;
}
