// URLs as clients send them through the API and as the configuration names them: lib/url's parser
// (libcurl's URL API, used wherever a URL is parsed) and the validation of a check's url,
// webhook_url and playbook_url and its webhook_secret. Each must answer, never crash; a refusal
// says why, and a URL validation accepts is one the parser accepts.

#include <cstdlib>
#include <string>

#include "lib/checks/check.h"
#include "lib/checks/validation.h"
#include "lib/url/url.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(lokahi::fuzz::AsText(data, size));
  std::string why;
  const auto url = lokahi::url::Url::Parse(text, &why);
  if (!url && why.empty()) std::abort();  // a refusal always says why
  if (url) {
    url->scheme(), url->host(), url->port(), url->user(), url->password(), url->path();
    url->query(), url->fragment(), url->str(), url->WithoutUserinfo(), url->Origin();
    const lokahi::url::Url copy(*url);
    if (copy.str() != url->str()) std::abort();
  }
  lokahi::url::ParseOptions any_scheme;
  any_scheme.schemes = "";
  any_scheme.allow_port_zero = true;
  lokahi::url::Url::Parse(text, nullptr, any_scheme);

  lokahi::checks::CheckOptions options;
  options.url = text;
  options.webhook_url = text;
  options.playbook_url = text;
  options.webhook_secret = text;
  lokahi::checks::ApplyDefaults(options);
  lokahi::checks::Validate(options, lokahi::checks::ValidationLimits{});
  options.webhook_secret.clear();
  const auto problem = lokahi::checks::Validate(options, lokahi::checks::ValidationLimits{});
  if (!problem && !url) std::abort();  // validation accepted a URL the parser refuses
  return 0;
}
