#pragma once

#include <grpcpp/support/status.h>

#include <string>

namespace lokahi::lokahictl::output {

// The gRPC status code's name as the gRPC docs spell it ("RESOURCE_EXHAUSTED"); "code N" only for a
// number outside the 17 codes gRPC defines.
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace lokahi::lokahictl::output
