#pragma once
// The lokahictl commands. Each prints the answer on `out` in the renderer's format, or the server's
// message on `err`, and returns the process exit code.

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "alerts.grpc.pb.h"
#include "lokahi.grpc.pb.h"
#include "lokahictl/check_file.h"
#include "lokahictl/cli_args.h"
#include "lokahictl/output/renderer.h"
#include "lokahictl/server_address.h"
#include "maintenance.grpc.pb.h"

namespace lokahi::lokahictl {

// `lokahictl alert ...`: its actions' flags (alert_commands.cc).
CommandSpec AlertCommandSpec();

// Every command, its operand and its flags: the one place a flag is declared.
const CommandTable& CommandFlags();
std::string Usage();
std::string CommandUsage(const std::string& command);
// The request `lokahictl create [FLAGS]` sends.
github::xe::lokahi::CreateOpts CreateRequest(const ParsedArgs& args);
// The request `lokahictl put ID [FLAGS]` sends: its update_mask names exactly the flags given, so a
// flag given "" or 0 clears that option or resets it to its default.
github::xe::lokahi::Check PutRequest(const ParsedArgs& args, const std::string& id);
// The request `lokahictl pause ID` (enabled false) and `resume ID` (true) send.
github::xe::lokahi::Check EnabledRequest(const std::string& id, bool enabled);

class Commands {
 public:
  // `env` expands ${VAR} in checks files (apply); unset: the process environment.
  Commands(ServerAddress server, output::Renderer renderer, std::ostream& out, std::ostream& err,
           EnvLookup env = {});
  int Run(const ParsedArgs& args);

 private:
  int Create(const ParsedArgs& args);
  int CreateLoad(const ParsedArgs& args);
  int Get(const ParsedArgs& args);
  int List(const ParsedArgs& args);
  int Put(const ParsedArgs& args);
  int SetEnabled(const ParsedArgs& args);
  int Delete(const ParsedArgs& args);
  int Status(const ParsedArgs& args);
  int RunNow(const ParsedArgs& args);
  int RunStats(const ParsedArgs& args);
  int Deliveries(const ParsedArgs& args);
  // `alert send|list|get|ack|clear|raise` (alert_commands.cc).
  int Alert(const ParsedArgs& args);
  int Maintenance(const ParsedArgs& args);
  int Apply(const ParsedArgs& args);
  int Export(const ParsedArgs& args);
  // Every check on the server, page by page; false (the error printed) when a call fails.
  bool ListAll(std::vector<github::xe::lokahi::Check>& checks);
  int Failed(const grpc::Status& status);

  std::unique_ptr<grpc::ClientContext> NewContext(int timeout_seconds = 30) const;
  int Print(const grpc::Status& status, const google::protobuf::Message& message);
  std::string RequireId(const ParsedArgs& args) const;

  ServerAddress server_;
  output::Renderer renderer_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<github::xe::lokahi::Checks::Stub> stub_;
  std::unique_ptr<github::xe::lokahi::Alerts::Stub> alerts_stub_;
  std::unique_ptr<github::xe::lokahi::Maintenance::Stub> maintenance_stub_;
  std::ostream& out_;
  std::ostream& err_;
  EnvLookup env_;
};

}  // namespace lokahi::lokahictl
