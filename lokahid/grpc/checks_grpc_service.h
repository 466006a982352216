#pragma once
// The Checks API over gRPC: converts a call's context (authorization metadata, the caller's
// address from the ConnectionRegistry) into a Caller, calls ChecksApi, and turns its ApiStatus
// into a grpc::Status. No logic of its own.

#include <grpcpp/grpcpp.h>

#include "lokahi.grpc.pb.h"
#include "lokahid/front/connection_registry.h"
#include "lokahid/service/checks_api.h"

namespace lokahi::lokahid {

// The Caller of a gRPC call.
Caller GrpcCaller(const grpc::ServerContext& context, const ConnectionRegistry& connections);
grpc::Status ToGrpcStatus(const ApiStatus& status);

class ChecksGrpcService final : public github::xe::lokahi::Checks::Service {
 public:
  // `api` and `connections` must outlive the service.
  ChecksGrpcService(ChecksApi& api, const ConnectionRegistry& connections)
      : api_(api), connections_(connections) {}

  grpc::Status Create(grpc::ServerContext* context, const github::xe::lokahi::CreateOpts* request,
                      github::xe::lokahi::Check* response) override;
  grpc::Status Get(grpc::ServerContext* context, const github::xe::lokahi::CheckID* request,
                   github::xe::lokahi::Check* response) override;
  grpc::Status List(grpc::ServerContext* context, const github::xe::lokahi::ListOpts* request,
                    github::xe::lokahi::ChecksPage* response) override;
  grpc::Status Put(grpc::ServerContext* context, const github::xe::lokahi::Check* request,
                   github::xe::lokahi::Check* response) override;
  grpc::Status Delete(grpc::ServerContext* context, const github::xe::lokahi::CheckID* request,
                      github::xe::lokahi::Check* response) override;
  grpc::Status Status(grpc::ServerContext* context, const github::xe::lokahi::CheckID* request,
                      github::xe::lokahi::CheckStatus* response) override;
  grpc::Status Run(grpc::ServerContext* context, const github::xe::lokahi::CheckID* request,
                   github::xe::lokahi::CheckStatus* response) override;
  grpc::Status RunStats(grpc::ServerContext* context, const github::xe::lokahi::Nil* request,
                        github::xe::lokahi::PipelineStats* response) override;
  grpc::Status Deliveries(grpc::ServerContext* context, const github::xe::lokahi::CheckID* request,
                          github::xe::lokahi::DeliveriesPage* response) override;

 private:
  ChecksApi& api_;
  const ConnectionRegistry& connections_;
};

}  // namespace lokahi::lokahid
