#include "lokahid/grpc/call_metrics_interceptor.h"

#include <chrono>
#include <string>

namespace lokahi::lokahid {
namespace {

using grpc::experimental::InterceptionHookPoints;

// One per call, created as the call starts; records once, as its status is sent.
class CallMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallMetricsInterceptor(const char* method, ApiCallMetrics& metrics)
      : method_(method != nullptr && *method == '/' ? method + 1 : (method ? method : "")),
        metrics_(metrics),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      metrics_.Record(ApiTransport::kGrpc, method_,
                      GrpcCodeName(static_cast<int>(methods->GetSendStatus().error_code())),
                      std::chrono::steady_clock::now() - start_);
    }
    methods->Proceed();
  }

 private:
  const std::string method_;  // "github.xe.lokahi.Checks/Get"
  ApiCallMetrics& metrics_;
  const std::chrono::steady_clock::time_point start_;
};

}  // namespace

grpc::experimental::Interceptor* CallMetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallMetricsInterceptor(info->method(), metrics_);  // gRPC owns and deletes it
}

}  // namespace lokahi::lokahid
