#include "lokahid/grpc/checks_grpc_service.h"

namespace lokahi::lokahid {

namespace pb = github::xe::lokahi;

Caller GrpcCaller(const grpc::ServerContext& context, const ConnectionRegistry& connections) {
  Caller caller;
  caller.transport = "grpc";
  const auto& metadata = context.client_metadata();
  if (const auto it = metadata.find("authorization"); it != metadata.end()) {
    caller.authorization.emplace(it->second.data(), it->second.size());
  }
  if (auto peer = connections.PeerOfGrpc(context.peer())) caller.address = std::move(peer->address);
  return caller;
}

grpc::Status ToGrpcStatus(const ApiStatus& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(GrpcCodeOf(status.code)), status.message);
}

#define LOKAHI_GRPC_METHOD(Method, Request, Response)                                          \
  grpc::Status ChecksGrpcService::Method(grpc::ServerContext* context, const Request* request, \
                                         Response* response) {                                 \
    return ToGrpcStatus(api_.Method(GrpcCaller(*context, connections_), *request, response));  \
  }

LOKAHI_GRPC_METHOD(Create, pb::CreateOpts, pb::Check)
LOKAHI_GRPC_METHOD(Get, pb::CheckID, pb::Check)
LOKAHI_GRPC_METHOD(List, pb::ListOpts, pb::ChecksPage)
LOKAHI_GRPC_METHOD(Put, pb::Check, pb::Check)
LOKAHI_GRPC_METHOD(Delete, pb::CheckID, pb::Check)
LOKAHI_GRPC_METHOD(Status, pb::CheckID, pb::CheckStatus)
LOKAHI_GRPC_METHOD(Run, pb::CheckID, pb::CheckStatus)
LOKAHI_GRPC_METHOD(RunStats, pb::Nil, pb::PipelineStats)
LOKAHI_GRPC_METHOD(Deliveries, pb::CheckID, pb::DeliveriesPage)

#undef LOKAHI_GRPC_METHOD

}  // namespace lokahi::lokahid
