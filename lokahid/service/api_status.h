#pragma once
// The outcome of an API call, independent of the transport that carries it, and the one table
// that says how each transport spells it: gRPC's status code, Twirp's error code and HTTP status.

#include <string>
#include <string_view>

namespace lokahi::lokahid {

// The values are gRPC's canonical status codes.
enum class ApiCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

struct ApiStatus {
  ApiCode code = ApiCode::kOk;
  std::string message;

  bool ok() const { return code == ApiCode::kOk; }
  static ApiStatus Ok() { return {}; }
};

struct TwirpError {
  std::string_view code;  // "not_found"
  int http_status;        // 404
};

// Twirp's spelling of `code` (PROTOCOL.md's table; kOk maps to no error: {"", 200}).
TwirpError TwirpErrorOf(ApiCode code);
inline int GrpcCodeOf(ApiCode code) { return static_cast<int>(code); }

}  // namespace lokahi::lokahid
