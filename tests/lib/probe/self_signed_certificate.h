#pragma once
#include <openssl/types.h>

#include <chrono>
#include <memory>
#include <string>

namespace lokahi::probe::testing {

// Writes a new P-256 key and a self-signed certificate for 127.0.0.1 and localhost, valid from a
// minute ago for `days`, as PEM files. Throws std::runtime_error on failure.
void WriteSelfSignedCertificate(const std::string& certificate_path, const std::string& key_path,
                                int days);

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const noexcept;
};
struct CertificateDeleter {
  void operator()(X509* certificate) const noexcept;
};

// A CA (P-256 key, self-signed, valid from an hour ago for 30 days) that issues leaf
// certificates; its certificate is what a client trusts. Throws std::runtime_error on failure.
class TestCertificateAuthority {
 public:
  explicit TestCertificateAuthority(const std::string& name);

  void WriteCertificate(const std::string& path) const;
  // Writes PREFIX.pem and PREFIX.key: a new P-256 key and a server certificate for
  // `subject_alt_names` (e.g. "IP:127.0.0.1,DNS:localhost") valid from now + `from` to
  // now + `until` (either may be negative).
  void IssueLeaf(const std::string& prefix, const char* subject_alt_names,
                 std::chrono::seconds from, std::chrono::seconds until) const;

 private:
  std::unique_ptr<EVP_PKEY, KeyDeleter> key_;
  std::unique_ptr<X509, CertificateDeleter> certificate_;
  mutable long serial_ = 1;
};

}  // namespace lokahi::probe::testing
