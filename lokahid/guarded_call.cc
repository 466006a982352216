#include "lokahid/guarded_call.h"

namespace lokahi::lokahid {

grpc::Status Authenticate(const grpc::ServerContext& context,
                          const std::optional<auth::Credentials>& credentials) {
  if (!credentials) return grpc::Status::OK;
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "credentials required: send authorization: Basic base64(user:password)");
  }
  const std::string_view header(it->second.data(), it->second.size());
  if (!auth::Authorize(header, *credentials)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "wrong user or password");
  }
  return grpc::Status::OK;
}

}  // namespace lokahi::lokahid
