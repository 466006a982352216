#include "lokahid/grpc/alerts_grpc_service.h"

#include "lokahid/grpc/checks_grpc_service.h"

namespace lokahi::lokahid {

namespace pb = github::xe::lokahi;

#define LOKAHI_ALERTS_GRPC_METHOD(Method, Request, Response)                                   \
  grpc::Status AlertsGrpcService::Method(grpc::ServerContext* context, const Request* request, \
                                         Response* response) {                                 \
    return ToGrpcStatus(api_.Method(GrpcCaller(*context, connections_), *request, response));  \
  }

LOKAHI_ALERTS_GRPC_METHOD(Submit, pb::SubmitAlertsRequest, pb::SubmitAlertsResponse)
LOKAHI_ALERTS_GRPC_METHOD(Get, pb::AlertRef, pb::Alert)
LOKAHI_ALERTS_GRPC_METHOD(List, pb::ListAlertsRequest, pb::AlertsPage)
LOKAHI_ALERTS_GRPC_METHOD(Acknowledge, pb::AcknowledgeAlertRequest, pb::Alert)
LOKAHI_ALERTS_GRPC_METHOD(Clear, pb::AlertRef, pb::Alert)
LOKAHI_ALERTS_GRPC_METHOD(Raise, pb::AlertRef, pb::Alert)
LOKAHI_ALERTS_GRPC_METHOD(Deliveries, pb::AlertRef, pb::AlertDeliveriesPage)

#undef LOKAHI_ALERTS_GRPC_METHOD

}  // namespace lokahi::lokahid
