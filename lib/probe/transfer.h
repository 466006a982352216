#pragma once
// One reusable easy handle and the state of the probe it is running. Internal to lokahi_probe;
// used only on the prober's thread.
//
// Life cycle: Start(request) → the prober adds easy() to its multi handle → Complete(code) once
// libcurl reports it done, or Abandon(reason) when it is cut off. Then Start again for the next
// probe: the handle is reset and reconfigured rather than recreated.

#include <chrono>
#include <optional>
#include <string>

#include "lib/probe/address_policy.h"
#include "lib/probe/curl_handles.h"
#include "lib/probe/prober.h"

namespace lokahi::probe {

class Transfer {
 public:
  // `options` and `policy` must outlive the Transfer. Throws std::runtime_error when libcurl cannot
  // create a handle.
  Transfer(const ProberOptions& options, const AddressPolicy& policy);
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Configures the handle for `request`. false when libcurl refused an option; the probe is then
  // over and Abandon's result carries the reason.
  bool Start(ProbeRequest request);
  // The result of a transfer libcurl finished with `code`.
  ProbeResult Complete(CURLcode code);
  // The result of a transfer that will not finish, with `reason` as its error.
  ProbeResult Abandon(std::string reason);

  CURL* easy() const { return easy_.get(); }

 private:
  static size_t OnBody(char* data, size_t size, size_t count, void* self) noexcept;
  static size_t OnHeader(char* data, size_t size, size_t count, void* self) noexcept;
  static curl_socket_t OnOpenSocket(void* self, curlsocktype purpose,
                                    curl_sockaddr* address) noexcept;

  CURLcode Configure();
  void ReadTimings();
  std::string ErrorText(CURLcode code) const;

  const ProberOptions& options_;
  const AddressPolicy& policy_;
  EasyHandle easy_;

  // Per probe, reset by Start.
  ProbeResult result_{};
  std::string url_;
  int timeout_ms_ = 0;
  // The request's options. libcurl keeps pointers to the body and the header list until the
  // transfer is over, so they live here.
  std::string method_;
  std::string request_body_;
  SlistHandle request_headers_;
  bool follow_redirects_ = true;
  IpResolve ip_resolve_ = IpResolve::kAny;
  bool certificate_read_ = false;
  size_t response_header_bytes_ = 0;
  bool headers_too_large_ = false;
  std::string denied_address_;  // set when the policy refused a connect
  std::string configure_error_;
  std::chrono::steady_clock::time_point started_{};
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace lokahi::probe
