#pragma once
// A real lokahid on a free loopback port, over a database of its own in the shared Postgres and
// the shared nats-server, with what tests talk to it through: a gRPC channel, call contexts with
// or without credentials, and Twirp calls over HTTP/1.1 in protobuf or JSON.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <google/protobuf/message.h>

#include "lib/auth/basic_auth.h"
#include "tests/support/child_process.h"
#include "tests/support/http_client.h"

namespace lokahi::testing {

inline constexpr char kProtobuf[] = "application/protobuf";
inline constexpr char kJson[] = "application/json";

class LokahidUnderTest {
 public:
  // Starts lokahid with DATABASE_URL (a new database unless `database_url` names one), NATS_URL,
  // PORT and `extra_env` (which wins over those), and waits until it listens.
  explicit LokahidUnderTest(std::map<std::string, std::string> extra_env = {},
                            std::string database_url = "");

  int port() const { return port_; }
  const std::string& database_url() const { return database_url_; }
  ChildProcess& process() { return *process_; }
  // "http://127.0.0.1:PORT" + path.
  std::string Url(const std::string& path) const;
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // A Twirp call: POST `path` with `request` encoded as `encoding` (kProtobuf or kJson). On 200
  // the answer is decoded into `response` (a failed decode fails the test); the answer is
  // returned either way, for its status and error body.
  HttpAnswer Twirp(const std::string& path, const google::protobuf::Message& request,
                   const std::string& encoding, google::protobuf::Message* response,
                   std::optional<auth::Credentials> credentials = std::nullopt);

  // Stops the process (SIGTERM, then SIGKILL) and starts it again on the same port and database.
  void Restart();

 private:
  void Start();

  std::map<std::string, std::string> env_;
  std::string database_url_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
  std::shared_ptr<grpc::Channel> channel_;
  HttpClient http_;
};

// A client context with a 20 s deadline and, when given, Basic credentials.
std::unique_ptr<grpc::ClientContext> CallContext(
    std::optional<auth::Credentials> credentials = std::nullopt,
    std::chrono::seconds deadline = std::chrono::seconds(20));

// {code, msg} of a Twirp error body; {"<not json>", body} when it is not one.
std::pair<std::string, std::string> TwirpError(const std::string& body);

}  // namespace lokahi::testing
