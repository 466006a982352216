#pragma once
// Console login sessions, kept in Postgres (console_sessions) so any lokahid
// replica accepts them and a restart logs nobody out. The browser holds a
// random 256-bit token in an HttpOnly, SameSite=Strict cookie; the table keeps
// only its SHA-256, so a read of the database yields no usable cookie. Each
// session carries its own CSRF token for the console's forms. Thread-safe.

#include <chrono>
#include <optional>
#include <string>

#include "lib/postgres/connection_pool.h"

namespace lokahi::lokahid {

struct ConsoleSession {
  std::string token;  // for the cookie (hex); empty when read back by Find
  std::string csrf;   // the forms' hidden field
};

class PgConsoleSessions final {
 public:
  PgConsoleSessions(postgres::ConnectionPool& pool, std::chrono::seconds lifetime)
      : pool_(pool), lifetime_(lifetime) {}

  // A new session, valid for the lifetime given at construction. Also forgets
  // expired ones.
  ConsoleSession Create();
  // The session whose cookie token is `token`, if it exists and has not
  // expired.
  std::optional<ConsoleSession> Find(const std::string& token);
  void Delete(const std::string& token);

  std::chrono::seconds lifetime() const { return lifetime_; }

 private:
  postgres::ConnectionPool& pool_;
  std::chrono::seconds lifetime_;
};

// `bytes` random bytes from OpenSSL's CSPRNG, as lowercase hex.
std::string RandomHex(size_t bytes);
// SHA-256 of `text`, lowercase hex.
std::string Sha256Hex(std::string_view text);
// HMAC-SHA-256 of `message` under `key`, lowercase hex.
std::string HmacSha256Hex(std::string_view key, std::string_view message);

}  // namespace lokahi::lokahid
