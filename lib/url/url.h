#pragma once
// URLs parsed by libcurl's own URL API (curl_url), so whatever we accept, store or show is exactly
// what libcurl will fetch: a hand-written parser disagrees with libcurl on odd input (two ports,
// '@' in a password, a backslash in the host) and lets through URLs every probe then fails on.
//
// Thread-compatible: one Url may be read from several threads; libcurl's URL API keeps no global
// state and needs no curl_global_init.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct Curl_URL;  // libcurl's CURLU, kept out of users' includes

namespace lokahi::url {

inline constexpr size_t kMaxUrlBytes = 8192;

// What Parse accepts beyond libcurl's own rules. The defaults suit a URL the prober will fetch.
struct ParseOptions {
  // Longer input is refused before parsing (a URL is stored, logged, sent in every batch).
  size_t max_bytes = kMaxUrlBytes;
  // Only these schemes are accepted (lowercase, comma separated); empty accepts any scheme.
  std::string_view schemes = "http,https";
  // A port of 0 parses in libcurl but can never be connected to; refused unless set.
  bool allow_port_zero = false;
};

// One parsed absolute URL; owns one CURLU handle.
class Url {
 public:
  // On failure returns nullopt and, when `why` is given, sets it to the reason in words a user can
  // act on ("has an invalid port …"), meant to follow the field's name. The reason never quotes the
  // input: callers quote it, bounded (see lib/checks/quote.h).
  static std::optional<Url> Parse(std::string_view text, std::string* why = nullptr,
                                  const ParseOptions& options = {});

  Url(Url&&) noexcept = default;
  Url& operator=(Url&&) noexcept = default;
  Url(const Url& other);
  Url& operator=(const Url& other);
  ~Url();

  std::string scheme() const;  // lowercase
  std::string host() const;    // IPv6 literals keep their brackets, as libcurl returns them
  int port() const;            // the explicit port, 0 when the URL names none
  std::string user() const;    // empty when absent, still %-encoded
  std::string password() const;
  std::string path() const;   // at least "/"
  std::string query() const;  // without '?', empty when absent
  std::string fragment() const;

  // The whole URL as libcurl normalises it (scheme and host lowercase, "/" path added).
  std::string str() const;
  // The URL without user:password, e.g. for logs and bodies that must not carry credentials.
  std::string WithoutUserinfo() const;
  // scheme://host[:port], nothing else: where a request goes without any secret it may carry in its
  // userinfo, path or query.
  std::string Origin() const;

 private:
  struct Deleter {
    void operator()(Curl_URL* handle) const noexcept;
  };
  explicit Url(Curl_URL* handle) : handle_(handle) {}
  std::string Part(int part) const;

  std::unique_ptr<Curl_URL, Deleter> handle_;
};

}  // namespace lokahi::url
