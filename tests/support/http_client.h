#pragma once
// A keep-alive HTTP/1.1 client (libcurl) for tests that talk to our servers as curl, lokahi's Go
// client or a script would: Twirp calls, /events submissions, console pages.

#include <curl/curl.h>

#include <map>
#include <string>
#include <vector>

namespace lokahi::testing {

struct HttpAnswer {
  long status = 0;  // -1 when no answer came; `body` then holds libcurl's error
  std::map<std::string, std::string> headers;  // names lower-cased; the last value of each
  std::string body;

  // The header's value, or "" when absent. `lower_name` e.g. "content-type".
  std::string Header(const std::string& lower_name) const;
};

class HttpClient {
 public:
  // `source_address`: the local address to send from (e.g. "127.0.0.2"), for tests of
  // per-client behaviour; the default lets the kernel choose.
  explicit HttpClient(std::string source_address = "");
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `method` to `url` with `body` (not for GET) and `headers` ("Name: value"); bounded by
  // 30 s. Reuses the connection between calls, as a keep-alive client does.
  HttpAnswer Send(const std::string& method, const std::string& url, const std::string& body = "",
                  std::vector<std::string> headers = {});

 private:
  CURL* curl_;
  std::string source_address_;
};

}  // namespace lokahi::testing
