#include "lib/webhook/curl_multi_poster.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <stdexcept>
#include <string_view>

namespace lokahi::webhook {
namespace {

struct EasyDeleter {
  void operator()(CURL* easy) const noexcept { curl_easy_cleanup(easy); }
};
struct HeaderListDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

CurlLibrary::CurlLibrary() {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    throw std::runtime_error("libcurl failed to initialise (curl_global_init)");
  }
}
CurlLibrary::~CurlLibrary() { curl_global_cleanup(); }

struct CurlMultiPoster::Transfer {
  std::unique_ptr<CURL, EasyDeleter> easy;
  std::unique_ptr<curl_slist, HeaderListDeleter> headers;
  PostRequest request;  // owns the body libcurl reads from
  Completion on_done;
  PostResponse response;
  char error_buffer[CURL_ERROR_SIZE] = {};
  const ConnectPolicy* connect_policy = nullptr;  // null: allow every address
  std::string refused_address;                    // why the policy refused a connect

  static curl_socket_t OnOpenSocket(void* closure, curlsocktype purpose,
                                    curl_sockaddr* address) noexcept {
    auto* transfer = static_cast<Transfer*>(closure);
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
    try {
      if (transfer->connect_policy != nullptr) {
        if (auto refused = (*transfer->connect_policy)(address->addr)) {
          transfer->refused_address = std::move(*refused);
          return CURL_SOCKET_BAD;
        }
      }
    } catch (...) {  // never throw into libcurl; refuse the connect instead
      return CURL_SOCKET_BAD;
    }
    return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  }

  // The body of the answer is not needed: discarded as it arrives, so nothing is buffered.
  static size_t OnBody(char*, size_t size, size_t count, void*) noexcept { return size * count; }

  // Keeps Retry-After of the final answer: a new status line (after a 100 Continue, say)
  // forgets what the previous answer said.
  static size_t OnHeader(char* data, size_t size, size_t count, void* closure) noexcept {
    auto* transfer = static_cast<Transfer*>(closure);
    const std::string_view line(data, size * count);
    try {
      if (line.starts_with("HTTP/")) {
        transfer->response.retry_after.reset();
      } else if (const auto colon = line.find(':');
                 colon != std::string_view::npos &&
                 EqualsIgnoreCase(line.substr(0, colon), "retry-after")) {
        auto value = line.substr(colon + 1);
        const auto first = value.find_first_not_of(" \t");
        const auto last = value.find_last_not_of(" \t\r\n");
        value = first == std::string_view::npos ? std::string_view()
                                                : value.substr(first, last - first + 1);
        transfer->response.retry_after = std::string(value);
      }
    } catch (...) {
      return 0;  // out of memory: abort this transfer rather than unwind through libcurl
    }
    return size * count;
  }
};

void CurlMultiPoster::MultiDeleter::operator()(void* multi) const noexcept {
  curl_multi_cleanup(static_cast<CURLM*>(multi));
}

CurlMultiPoster::CurlMultiPoster(ConnectPolicy connect_policy)
    : connect_policy_(std::move(connect_policy)), multi_(curl_multi_init()) {
  if (!multi_) throw std::runtime_error("libcurl could not create a multi handle");
}

CurlMultiPoster::~CurlMultiPoster() { AbortAll(); }

void CurlMultiPoster::Start(PostRequest request, Completion on_done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->request = std::move(request);
  transfer->on_done = std::move(on_done);
  transfer->easy.reset(curl_easy_init());
  if (!transfer->easy) {
    transfer->response.error = "libcurl could not create an easy handle";
    refused_.push_back(std::move(transfer));
    return;
  }
  CURL* easy = transfer->easy.get();
  curl_slist* headers = nullptr;
  for (const auto& header : transfer->request.headers) {
    headers = curl_slist_append(headers, header.c_str());
  }
  // Without this libcurl sends "Expect: 100-continue" for bodies over 1 KiB and waits a second
  // for receivers that never answer it.
  headers = curl_slist_append(headers, "Expect:");
  transfer->headers.reset(headers);

  const auto& r = transfer->request;
  CURLcode code = CURLE_OK;
  const auto set = [&](CURLoption option, auto value) {
    if (code == CURLE_OK) code = curl_easy_setopt(easy, option, value);
  };
  set(CURLOPT_URL, r.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_PROXY, "");  // "" disables proxies, including those named by the environment
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
  set(CURLOPT_POST, 1L);
  set(CURLOPT_POSTFIELDS, r.body.data());
  set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
  set(CURLOPT_HTTPHEADER, transfer->headers.get());
  set(CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  set(CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  set(CURLOPT_HEADERDATA, transfer.get());
  set(CURLOPT_ERRORBUFFER, transfer->error_buffer);
  set(CURLOPT_PRIVATE, transfer.get());
  if (connect_policy_) {
    transfer->connect_policy = &connect_policy_;
    set(CURLOPT_OPENSOCKETFUNCTION, &Transfer::OnOpenSocket);
    set(CURLOPT_OPENSOCKETDATA, static_cast<void*>(transfer.get()));
  }
  if (code != CURLE_OK) {
    transfer->response.error =
        std::string("libcurl refused the request: ") + curl_easy_strerror(code);
    refused_.push_back(std::move(transfer));
    return;
  }
  const CURLMcode added = curl_multi_add_handle(static_cast<CURLM*>(multi_.get()), easy);
  if (added != CURLM_OK) {
    transfer->response.error =
        std::string("libcurl refused the transfer: ") + curl_multi_strerror(added);
    refused_.push_back(std::move(transfer));
    return;
  }
  transfers_.emplace(easy, std::move(transfer));
}

void CurlMultiPoster::Poll(std::chrono::milliseconds wait) {
  auto* multi = static_cast<CURLM*>(multi_.get());
  if (!refused_.empty()) {
    auto refused = std::move(refused_);
    refused_.clear();
    for (auto& transfer : refused) transfer->on_done(std::move(transfer->response));
    return;
  }
  int running = 0;
  curl_multi_perform(multi, &running);
  FinishCompleted();
  curl_multi_poll(multi, nullptr, 0, static_cast<int>(std::max<long long>(wait.count(), 0)),
                  nullptr);
  curl_multi_perform(multi, &running);
  FinishCompleted();
}

void CurlMultiPoster::FinishCompleted() {
  auto* multi = static_cast<CURLM*>(multi_.get());
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    const CURLcode result = message->data.result;
    auto found = transfers_.find(easy);
    if (found == transfers_.end()) continue;
    auto transfer = std::move(found->second);
    transfers_.erase(found);
    curl_multi_remove_handle(multi, easy);

    auto& response = transfer->response;
    curl_off_t total_us = 0;
    curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total_us);
    response.elapsed = std::chrono::microseconds(total_us);
    if (result == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      response.status_code = static_cast<int>(status);
    } else {
      response.retry_after.reset();
      if (!transfer->refused_address.empty()) {
        response.error = transfer->refused_address;
      } else {
        response.error =
            transfer->error_buffer[0] != '\0' ? transfer->error_buffer : curl_easy_strerror(result);
      }
    }
    transfer->on_done(std::move(response));
  }
}

void CurlMultiPoster::Wake() { curl_multi_wakeup(static_cast<CURLM*>(multi_.get())); }

void CurlMultiPoster::AbortAll() {
  auto* multi = static_cast<CURLM*>(multi_.get());
  for (auto& [easy, transfer] : transfers_) curl_multi_remove_handle(multi, easy);
  transfers_.clear();
  refused_.clear();
}

}  // namespace lokahi::webhook
