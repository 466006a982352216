#pragma once
#include <string>

namespace lokahi::probe::testing {

// Writes a new P-256 key and a self-signed certificate for 127.0.0.1 and localhost, valid from a
// minute ago for `days`, as PEM files. Throws std::runtime_error on failure.
void WriteSelfSignedCertificate(const std::string& certificate_path, const std::string& key_path,
                                int days);

}  // namespace lokahi::probe::testing
