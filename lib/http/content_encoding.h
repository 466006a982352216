#pragma once
// gzip for answers a client says it accepts (RFC 9110 Accept-Encoding), with zlib: text (HTML,
// CSS, JSON, JavaScript, SVG) of at least kMinCompressedBytes. Pure functions; thread-safe.

#include <string>
#include <string_view>

#include "lib/http/server.h"

namespace lokahi::http {

// Below this a gzip header and trailer (18 bytes) and the lost chance of fitting one packet
// outweigh what compression saves.
inline constexpr size_t kMinCompressedBytes = 512;

// Whether an Accept-Encoding value accepts gzip: "gzip" (or "x-gzip", or "*" when gzip is not
// named) with a q above 0. A missing header accepts nothing here (no compression).
bool AcceptsGzip(std::string_view accept_encoding);

// `data` as a gzip member (RFC 1952) at zlib's default level.
std::string Gzip(std::string_view data);

// Compresses `response`'s body with gzip when `request` accepts it and the body is compressible
// text of kMinCompressedBytes or more, and not encoded already: sets Content-Encoding: gzip,
// Content-Length follows the body, and an ETag becomes the compressed representation's own
// ("x" -> "x-gzip"). Compressible answers get Vary: Accept-Encoding whether compressed or not,
// so a shared cache keeps the two apart. Returns whether it compressed.
bool CompressForClient(const Request& request, Response& response);

}  // namespace lokahi::http
