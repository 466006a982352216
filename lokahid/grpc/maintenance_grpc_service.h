#pragma once
// The Maintenance API over gRPC: the call's Caller (as for Checks), MaintenanceApi, its status as
// a grpc::Status. No logic of its own.

#include <grpcpp/grpcpp.h>

#include "lokahid/front/connection_registry.h"
#include "lokahid/service/maintenance_api.h"
#include "maintenance.grpc.pb.h"

namespace lokahi::lokahid {

class MaintenanceGrpcService final : public github::xe::lokahi::Maintenance::Service {
 public:
  // `api` and `connections` must outlive the service.
  MaintenanceGrpcService(MaintenanceApi& api, const ConnectionRegistry& connections)
      : api_(api), connections_(connections) {}

  grpc::Status Create(grpc::ServerContext* context,
                      const github::xe::lokahi::MaintenanceWindow* request,
                      github::xe::lokahi::MaintenanceWindow* response) override;
  grpc::Status List(grpc::ServerContext* context,
                    const github::xe::lokahi::MaintenanceListOpts* request,
                    github::xe::lokahi::MaintenanceWindows* response) override;
  grpc::Status Delete(grpc::ServerContext* context,
                      const github::xe::lokahi::MaintenanceWindowID* request,
                      github::xe::lokahi::MaintenanceWindow* response) override;

 private:
  MaintenanceApi& api_;
  const ConnectionRegistry& connections_;
};

}  // namespace lokahi::lokahid
