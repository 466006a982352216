#pragma once
// The gRPC Checks service: authenticates, validates, converts protobuf <-> domain, and delegates
// to the store. Holds no state of its own; thread-safe because its collaborators are.

#include <optional>

#include "lib/auth/basic_auth.h"
#include "lib/checks/validation.h"
#include "lib/logging/logger.h"
#include "lib/store/check_store.h"
#include "lib/store/pg_status_query.h"
#include "lokahid/pipeline_queries.h"
#include "lokahid/run_now_client.h"
#include "lokahi.grpc.pb.h"

namespace lokahi::lokahid {

struct ChecksServiceOptions {
  std::optional<auth::Credentials> credentials;
  checks::ValidationLimits limits;
};

class ChecksService final : public github::xe::lokahi::Checks::Service {
 public:
  // Collaborators must outlive the service.
  struct Collaborators {
    store::CheckStore& store;
    store::PgStatusQuery& status;
    PgPipelineQueries& pipeline;
    RunNowClient& run_now;
  };
  ChecksService(Collaborators collaborators, ChecksServiceOptions options, logging::Logger& log);

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
  // Authenticates, runs `body`, and turns store failures into statuses a caller can act on.
  template <typename Body>
  grpc::Status Guarded(grpc::ServerContext* context, const char* method, Body&& body);

  store::CheckStore& store_;
  store::PgStatusQuery& status_;
  PgPipelineQueries& pipeline_;
  RunNowClient& run_now_;
  ChecksServiceOptions options_;
  logging::Logger& log_;
};

inline constexpr int kDefaultListCount = 50;
inline constexpr int kMaxListCount = 1000;

}  // namespace lokahi::lokahid
