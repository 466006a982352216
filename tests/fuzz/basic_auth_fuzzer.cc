// The API's `authorization` header and the USERPASS setting: Basic credentials and base64. A
// header must only authorize when it encodes exactly the expected user and password.

#include <cstdlib>
#include <string>

#include "lib/auth/base64.h"
#include "lib/auth/basic_auth.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = lokahi::fuzz::AsText(data, size);
  const lokahi::auth::Credentials expected{"admin", "s3cret:pa ss"};
  if (lokahi::auth::Authorize(text, expected) &&
      text != lokahi::auth::BasicAuthorizationHeader(expected)) {
    // Only the canonical header may pass (base64 of one text has one padded form).
    const auto decoded = lokahi::auth::Base64Decode(text.substr(text.find(' ') + 1));
    if (!decoded || *decoded != expected.user + ":" + expected.password) std::abort();
  }
  lokahi::auth::ParseUserPass(text);
  const auto decoded = lokahi::auth::Base64Decode(text);
  if (decoded && lokahi::auth::Base64Decode(lokahi::auth::Base64Encode(*decoded)) != decoded) {
    std::abort();
  }
  if (lokahi::auth::Base64Decode(lokahi::auth::Base64Encode(text)) != std::string(text)) {
    std::abort();
  }
  return 0;
}
