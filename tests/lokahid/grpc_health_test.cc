// grpc.health.v1.Health as a gRPC load balancer or Kubernetes probe asks it: SERVING while
// lokahid can reach Postgres, NOT_SERVING while it cannot, SERVING again once it is back.

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <future>
#include <string>

#include "tests/support/daemon.h"
#include "tests/support/ports.h"
#include "tests/support/postgres_server.h"
#include "tests/support/shared_services.h"

namespace lokahi {
namespace {

using namespace std::chrono_literals;

// The overall status ("" service) as the wire bytes of HealthCheckResponse: field 1, varint.
constexpr char kServing[] = "\x08\x01";
constexpr char kNotServing[] = "\x08\x02";

std::string HealthCheck(int port) {
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 2s);
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);  // HealthCheckRequest{service: ""}
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status status) { done.set_value(std::move(status)); });
  const grpc::Status status = done.get_future().get();
  if (!status.ok()) return "error: " + status.error_message();
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return "error: unreadable response";
  std::string bytes;
  for (const auto& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes;
}

TEST(GrpcHealthTest, FollowsPostgresSoALoadBalancerStopsSendingWork) {
  testing::PostgresServer postgres;  // private: this test stops it
  const int port = testing::FreePort();
  auto lokahid = testing::StartDaemon("lokahid/lokahid",
                                      {{"DATABASE_URL", postgres.NewDatabase()},
                                       {"NATS_URL", testing::Services().nats.Url()},
                                       {"PORT", std::to_string(port)}},
                                      port);

  EXPECT_TRUE(testing::WaitFor([&] { return HealthCheck(port) == kServing; }, 10s))
      << HealthCheck(port);
  postgres.Stop();
  EXPECT_TRUE(testing::WaitFor([&] { return HealthCheck(port) == kNotServing; }, 10s))
      << HealthCheck(port);
  postgres.Start();
  EXPECT_TRUE(testing::WaitFor([&] { return HealthCheck(port) == kServing; }, 15s))
      << HealthCheck(port);
  EXPECT_TRUE(lokahid->Running()) << lokahid->Log();
}

}  // namespace
}  // namespace lokahi
