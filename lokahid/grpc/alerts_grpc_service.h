#pragma once
// The Alerts API over gRPC: converts a call's context into a Caller, calls AlertsApi and turns its
// ApiStatus into a grpc::Status. No logic of its own.

#include <grpcpp/grpcpp.h>

#include "alerts.grpc.pb.h"
#include "lokahid/front/connection_registry.h"
#include "lokahid/service/alerts_api.h"

namespace lokahi::lokahid {

class AlertsGrpcService final : public github::xe::lokahi::Alerts::Service {
 public:
  // `api` and `connections` must outlive the service.
  AlertsGrpcService(AlertsApi& api, const ConnectionRegistry& connections)
      : api_(api), connections_(connections) {}

  grpc::Status Submit(grpc::ServerContext* context,
                      const github::xe::lokahi::SubmitAlertsRequest* request,
                      github::xe::lokahi::SubmitAlertsResponse* response) override;
  grpc::Status Get(grpc::ServerContext* context, const github::xe::lokahi::AlertRef* request,
                   github::xe::lokahi::Alert* response) override;
  grpc::Status List(grpc::ServerContext* context,
                    const github::xe::lokahi::ListAlertsRequest* request,
                    github::xe::lokahi::AlertsPage* response) override;
  grpc::Status Acknowledge(grpc::ServerContext* context,
                           const github::xe::lokahi::AcknowledgeAlertRequest* request,
                           github::xe::lokahi::Alert* response) override;
  grpc::Status Clear(grpc::ServerContext* context, const github::xe::lokahi::AlertRef* request,
                     github::xe::lokahi::Alert* response) override;
  grpc::Status Raise(grpc::ServerContext* context, const github::xe::lokahi::AlertRef* request,
                     github::xe::lokahi::Alert* response) override;
  grpc::Status Deliveries(grpc::ServerContext* context, const github::xe::lokahi::AlertRef* request,
                          github::xe::lokahi::AlertDeliveriesPage* response) override;

 private:
  AlertsApi& api_;
  const ConnectionRegistry& connections_;
};

}  // namespace lokahi::lokahid
