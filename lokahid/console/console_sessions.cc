#include "lokahid/console/console_sessions.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <pqxx/pqxx>
#include <stdexcept>
#include <vector>

namespace lokahi::lokahid {

namespace {
std::string Hex(const unsigned char* data, size_t size) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xf];
  }
  return out;
}
}  // namespace

std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed: no randomness for a session token");
  }
  return Hex(buffer.data(), buffer.size());
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return Hex(digest, sizeof digest);
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  return Hex(digest, length);
}

ConsoleSession PgConsoleSessions::Create() {
  ConsoleSession session{RandomHex(32), RandomHex(16)};
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  txn.exec0("DELETE FROM console_sessions WHERE expires_at < now()");
  txn.exec_params0(
      "INSERT INTO console_sessions (token_sha256, csrf_token, expires_at)"
      " VALUES ($1, $2, now() + make_interval(secs => $3))",
      Sha256Hex(session.token), session.csrf, static_cast<double>(lifetime_.count()));
  txn.commit();
  return session;
}

std::optional<ConsoleSession> PgConsoleSessions::Find(const std::string& token) {
  if (token.size() != 64) return std::nullopt;
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  const auto rows = txn.exec_params(
      "SELECT csrf_token FROM console_sessions WHERE "
      "token_sha256 = $1 AND expires_at > now()",
      Sha256Hex(token));
  if (rows.empty()) return std::nullopt;
  return ConsoleSession{"", rows[0][0].as<std::string>()};
}

void PgConsoleSessions::Delete(const std::string& token) {
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  txn.exec_params0("DELETE FROM console_sessions WHERE token_sha256 = $1", Sha256Hex(token));
  txn.commit();
}

}  // namespace lokahi::lokahid
