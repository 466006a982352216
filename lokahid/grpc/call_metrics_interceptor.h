#pragma once
// Counts and times every gRPC call into ApiCallMetrics (transport "grpc"), whatever the service:
// one interceptor on the server rather than code in each method, as HttpFront does for Twirp.

#include <grpcpp/support/server_interceptor.h>

#include "lokahid/lokahid_metrics.h"

namespace lokahi::lokahid {

class CallMetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `metrics` must outlive the gRPC server.
  explicit CallMetricsInterceptorFactory(ApiCallMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  ApiCallMetrics& metrics_;
};

}  // namespace lokahi::lokahid
