#include "tests/support/http_client.h"

#include <algorithm>
#include <cctype>

namespace lokahi::testing {
namespace {

size_t AppendBody(char* data, size_t, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, n);
  return n;
}

size_t RecordHeader(char* data, size_t, size_t n, void* out) {
  auto* answer = static_cast<HttpAnswer*>(out);
  const std::string line(data, n);
  const auto colon = line.find(':');
  if (line.rfind("HTTP/", 0) == 0) answer->headers.clear();  // a new response (after a 100)
  if (colon == std::string::npos) return n;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::string value = line.substr(colon + 1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
  while (!value.empty() && value.front() == ' ') value.erase(0, 1);
  answer->headers[name] = value;
  return n;
}

}  // namespace

std::string HttpAnswer::Header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

HttpClient::HttpClient(std::string source_address)
    : curl_(curl_easy_init()), source_address_(std::move(source_address)) {}

HttpClient::~HttpClient() { curl_easy_cleanup(curl_); }

HttpAnswer HttpClient::Send(const std::string& method, const std::string& url,
                            const std::string& body, std::vector<std::string> headers) {
  curl_easy_reset(curl_);
  HttpAnswer answer;
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method != "GET" && method != "HEAD") {
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  if (method == "HEAD") curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  if (!source_address_.empty()) {
    curl_easy_setopt(curl_, CURLOPT_INTERFACE, source_address_.c_str());
  }
  curl_slist* list = nullptr;
  headers.push_back("Expect:");
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, RecordHeader);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &answer);
  const auto code = curl_easy_perform(curl_);
  curl_slist_free_all(list);
  if (code != CURLE_OK) {
    answer.status = -1;
    answer.body = curl_easy_strerror(code);
    return answer;
  }
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &answer.status);
  return answer;
}

}  // namespace lokahi::testing
