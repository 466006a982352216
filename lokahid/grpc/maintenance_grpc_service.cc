#include "lokahid/grpc/maintenance_grpc_service.h"

#include "lokahid/grpc/checks_grpc_service.h"

namespace lokahi::lokahid {

namespace pb = github::xe::lokahi;

grpc::Status MaintenanceGrpcService::Create(grpc::ServerContext* context,
                                            const pb::MaintenanceWindow* request,
                                            pb::MaintenanceWindow* response) {
  return ToGrpcStatus(api_.Create(GrpcCaller(*context, connections_), *request, response));
}

grpc::Status MaintenanceGrpcService::List(grpc::ServerContext* context,
                                          const pb::MaintenanceListOpts* request,
                                          pb::MaintenanceWindows* response) {
  return ToGrpcStatus(api_.List(GrpcCaller(*context, connections_), *request, response));
}

grpc::Status MaintenanceGrpcService::Delete(grpc::ServerContext* context,
                                            const pb::MaintenanceWindowID* request,
                                            pb::MaintenanceWindow* response) {
  return ToGrpcStatus(api_.Delete(GrpcCaller(*context, connections_), *request, response));
}

}  // namespace lokahi::lokahid
