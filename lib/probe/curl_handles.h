#pragma once
// Owning handles for libcurl objects. Internal to lokahi_probe: curl headers stay out of the public
// interface.

#include <curl/curl.h>

#include <memory>

namespace lokahi::probe {

struct EasyDeleter {
  void operator()(CURL* easy) const noexcept { curl_easy_cleanup(easy); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct MultiDeleter {
  void operator()(CURLM* multi) const noexcept { curl_multi_cleanup(multi); }
};
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using SlistHandle = std::unique_ptr<curl_slist, SlistDeleter>;

// Holds a reference on libcurl's global state (reference counted and thread-safe since 7.84).
class CurlGlobal {
 public:
  CurlGlobal();  // throws std::runtime_error when libcurl cannot initialise
  ~CurlGlobal() { curl_global_cleanup(); }
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
};

}  // namespace lokahi::probe
