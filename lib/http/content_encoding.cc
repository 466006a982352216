#include "lib/http/content_encoding.h"

#include <zlib.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>

namespace lokahi::http {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool Compressible(std::string_view content_type) {
  const std::string_view type = Trim(content_type.substr(0, content_type.find(';')));
  if (type.size() >= 5 && EqualsIgnoringCase(type.substr(0, 5), "text/")) return true;
  for (const std::string_view known :
       {"application/json", "application/javascript", "image/svg+xml", "application/xml"}) {
    if (EqualsIgnoringCase(type, known)) return true;
  }
  return false;
}

// Ends a deflate stream whatever happens (RAII for z_stream).
struct DeflateEnd {
  void operator()(z_stream* stream) const noexcept { deflateEnd(stream); }
};

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  std::optional<bool> gzip, any;
  while (!accept_encoding.empty()) {
    const size_t comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    const size_t semicolon = item.find(';');
    const std::string_view coding = Trim(item.substr(0, semicolon));
    bool allowed = true;
    if (semicolon != std::string_view::npos) {
      std::string_view params = Trim(item.substr(semicolon + 1));
      if (params.size() >= 2 && (params[0] == 'q' || params[0] == 'Q') && params[1] == '=') {
        const std::string q(Trim(params.substr(2)).substr(0, 8));
        allowed = std::strtod(q.c_str(), nullptr) > 0;
      }
    }
    if (EqualsIgnoringCase(coding, "gzip") || EqualsIgnoringCase(coding, "x-gzip")) {
      gzip = allowed;
    } else if (coding == "*") {
      any = allowed;
    }
  }
  return gzip ? *gzip : any.value_or(false);
}

std::string Gzip(std::string_view data) {
  z_stream stream{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::runtime_error("gzip: deflateInit2 failed");
  }
  const std::unique_ptr<z_stream, DeflateEnd> end(&stream);
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  // deflateBound's room lets one Z_FINISH complete the stream.
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("gzip: deflate failed");
  out.resize(stream.total_out);
  return out;
}

bool CompressForClient(const Request& request, Response& response) {
  if (!Compressible(response.headers.Get("Content-Type").value_or(""))) return false;
  if (!response.headers.Has("Vary")) response.headers.Set("Vary", "Accept-Encoding");
  if (response.body.size() < kMinCompressedBytes || response.headers.Has("Content-Encoding") ||
      !AcceptsGzip(request.headers.Get("Accept-Encoding").value_or(""))) {
    return false;
  }
  response.body = Gzip(response.body);
  response.headers.Set("Content-Encoding", "gzip");
  if (const auto etag = response.headers.Get("ETag"); etag && etag->ends_with('"')) {
    std::string tagged(*etag);
    tagged.insert(tagged.size() - 1, "-gzip");
    response.headers.Set("ETag", tagged);
  }
  return true;
}

}  // namespace lokahi::http
