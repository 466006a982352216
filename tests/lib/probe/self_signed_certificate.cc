#include "tests/lib/probe/self_signed_certificate.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace lokahi::probe::testing {
namespace {

struct FileCloser {
  void operator()(FILE* file) const noexcept { std::fclose(file); }
};

void Require(bool ok, const char* step) {
  if (!ok) throw std::runtime_error(std::string("making a test certificate failed at ") + step);
}

// `issuer` null: self-signed.
void AddExtension(X509* certificate, int nid, const char* value, X509* issuer = nullptr) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer ? issuer : certificate, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  Require(extension != nullptr, value);
  const bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  Require(added, value);
}

std::unique_ptr<FILE, FileCloser> OpenForWriting(const std::string& path) {
  std::unique_ptr<FILE, FileCloser> file(std::fopen(path.c_str(), "w"));
  if (!file) throw std::runtime_error("cannot write " + path);
  return file;
}

// A certificate for `key`, named CN=`name`, valid from now + `from` to now + `until`, issued by
// `issuer` (null: by itself). Not yet signed.
std::unique_ptr<X509, CertificateDeleter> NewCertificate(const std::string& name, EVP_PKEY* key,
                                                         long serial, std::chrono::seconds from,
                                                         std::chrono::seconds until, X509* issuer) {
  std::unique_ptr<X509, CertificateDeleter> certificate(X509_new());
  X509* cert = certificate.get();
  Require(cert != nullptr, "allocation");
  Require(X509_set_version(cert, 2) == 1, "version");
  Require(ASN1_INTEGER_set(X509_get_serialNumber(cert), serial) == 1, "serial");
  Require(X509_gmtime_adj(X509_getm_notBefore(cert), from.count()) != nullptr, "notBefore");
  Require(X509_gmtime_adj(X509_getm_notAfter(cert), until.count()) != nullptr, "notAfter");
  Require(X509_set_pubkey(cert, key) == 1, "public key");
  X509_NAME* subject = X509_get_subject_name(cert);
  Require(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1,
                                     0) == 1,
          "subject");
  Require(X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : subject) == 1,
          "issuer");
  return certificate;
}

}  // namespace

void KeyDeleter::operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
void CertificateDeleter::operator()(X509* certificate) const noexcept { X509_free(certificate); }

void WriteSelfSignedCertificate(const std::string& certificate_path, const std::string& key_path,
                                int days) {
  const std::unique_ptr<EVP_PKEY, KeyDeleter> key(EVP_EC_gen("P-256"));
  Require(key != nullptr, "key generation");
  const std::unique_ptr<X509, CertificateDeleter> certificate(X509_new());
  X509* cert = certificate.get();
  Require(X509_set_version(cert, 2) == 1, "version");
  Require(ASN1_INTEGER_set(X509_get_serialNumber(cert), 1) == 1, "serial");
  Require(X509_gmtime_adj(X509_getm_notBefore(cert), -60) != nullptr, "notBefore");
  Require(X509_gmtime_adj(X509_getm_notAfter(cert), days * 24L * 60 * 60) != nullptr, "notAfter");
  Require(X509_set_pubkey(cert, key.get()) == 1, "public key");
  X509_NAME* name = X509_get_subject_name(cert);
  Require(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                                     0) == 1,
          "subject");
  Require(X509_set_issuer_name(cert, name) == 1, "issuer");
  AddExtension(cert, NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(cert, NID_subject_key_identifier, "hash");
  AddExtension(cert, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  Require(X509_sign(cert, key.get(), EVP_sha256()) > 0, "signing");

  Require(PEM_write_X509(OpenForWriting(certificate_path).get(), cert) == 1, "writing certificate");
  Require(PEM_write_PrivateKey(OpenForWriting(key_path).get(), key.get(), nullptr, nullptr, 0,
                               nullptr, nullptr) == 1,
          "writing key");
}

TestCertificateAuthority::TestCertificateAuthority(const std::string& name)
    : key_(EVP_EC_gen("P-256")) {
  using namespace std::chrono_literals;
  Require(key_ != nullptr, "CA key generation");
  certificate_ = NewCertificate(name, key_.get(), serial_, -3600s, 24h * 30, nullptr);
  AddExtension(certificate_.get(), NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(certificate_.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(certificate_.get(), NID_subject_key_identifier, "hash");
  Require(X509_sign(certificate_.get(), key_.get(), EVP_sha256()) > 0, "signing the CA");
}

void TestCertificateAuthority::WriteCertificate(const std::string& path) const {
  Require(PEM_write_X509(OpenForWriting(path).get(), certificate_.get()) == 1,
          "writing the CA certificate");
}

void TestCertificateAuthority::IssueLeaf(const std::string& prefix, const char* subject_alt_names,
                                         std::chrono::seconds from,
                                         std::chrono::seconds until) const {
  const std::unique_ptr<EVP_PKEY, KeyDeleter> key(EVP_EC_gen("P-256"));
  Require(key != nullptr, "key generation");
  const auto leaf = NewCertificate("leaf", key.get(), ++serial_, from, until, certificate_.get());
  AddExtension(leaf.get(), NID_subject_alt_name, subject_alt_names, certificate_.get());
  AddExtension(leaf.get(), NID_ext_key_usage, "serverAuth", certificate_.get());
  Require(X509_sign(leaf.get(), key_.get(), EVP_sha256()) > 0, "signing a leaf");
  Require(PEM_write_X509(OpenForWriting(prefix + ".pem").get(), leaf.get()) == 1,
          "writing a leaf certificate");
  Require(PEM_write_PrivateKey(OpenForWriting(prefix + ".key").get(), key.get(), nullptr, nullptr,
                               0, nullptr, nullptr) == 1,
          "writing a leaf key");
}

}  // namespace lokahi::probe::testing
