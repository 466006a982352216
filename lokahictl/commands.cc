#include "lokahictl/commands.h"

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>

namespace lokahi::lokahictl {

namespace pb = github::xe::lokahi;

namespace {

const std::vector<FlagSpec> kCheckOptionFlags = {
    {"url", "the http(s) URL to monitor"},
    {"webhook-url", "where state changes are POSTed"},
    {"every", "seconds between probes (default 60)"},
    {"playbook-url", "URL of the runbook, passed along in webhooks"},
    {"timeout-ms", "probe deadline in milliseconds (default 10000)"},
    {"expected-status", "HTTP status that means UP (default: any 2xx)"},
    {"failure-threshold", "consecutive failures before leaving UP (default 1)"},
    {"recovery-threshold", "consecutive successes before UP (default 1)"},
    {"webhook-format", "protobuf (default, lokahi's) or json"},
    {"webhook-secret", "Standard Webhooks signing secret, whsec_…"},
};

std::string FlagOr(const ParsedArgs& args, const std::string& name, const std::string& fallback) {
  const auto it = args.flags.find(name);
  return it == args.flags.end() ? fallback : it->second;
}

pb::WebhookFormat ParseFormat(const std::string& text) {
  if (text.empty() || text == "protobuf") return pb::WEBHOOK_FORMAT_PROTOBUF;
  if (text == "json") return pb::WEBHOOK_FORMAT_JSON;
  throw UsageError("--webhook-format must be protobuf or json, got \"" + text + "\"");
}

template <typename Message>
void FillOptions(const ParsedArgs& args, Message& m) {
  m.set_url(FlagOr(args, "url", ""));
  m.set_webhook_url(FlagOr(args, "webhook-url", ""));
  m.set_playbook_url(FlagOr(args, "playbook-url", ""));
  m.set_every(IntFlag(args, "every", 0));
  m.set_timeout_ms(IntFlag(args, "timeout-ms", 0));
  m.set_expected_status(IntFlag(args, "expected-status", 0));
  m.set_failure_threshold(IntFlag(args, "failure-threshold", 0));
  m.set_recovery_threshold(IntFlag(args, "recovery-threshold", 0));
  m.set_webhook_format(ParseFormat(FlagOr(args, "webhook-format", "")));
  m.set_webhook_secret(FlagOr(args, "webhook-secret", ""));
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  options.always_print_enums_as_ints = false;
  std::string json;
  google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    default: return "code " + std::to_string(static_cast<int>(code));
  }
}

}  // namespace

pb::Check PutRequest(const ParsedArgs& args, const std::string& id) {
  pb::Check request;
  request.set_id(id);
  FillOptions(args, request);
  for (const auto& flag : kCheckOptionFlags) {
    if (!args.flags.contains(flag.name)) continue;
    std::string path = flag.name;
    std::replace(path.begin(), path.end(), '-', '_');
    request.mutable_update_mask()->add_paths(path);
  }
  return request;
}

const std::map<std::string, std::vector<FlagSpec>>& CommandFlags() {
  static const std::map<std::string, std::vector<FlagSpec>> kFlags = [] {
    std::map<std::string, std::vector<FlagSpec>> flags;
    flags["create"] = kCheckOptionFlags;
    flags["put"] = kCheckOptionFlags;
    flags["create_load"] = {{"count", "how many checks to create (default 5000)"},
                            {"concurrency", "requests in flight (default 32)"},
                            {"url", "URL each check monitors (default http://127.0.0.1:9001)"},
                            {"webhook-url", "webhook for each (default http://127.0.0.1:9002)"},
                            {"every", "seconds between probes (default 60)"}};
    flags["get"] = {};
    flags["delete"] = {};
    flags["status"] = {};
    flags["run"] = {};
    flags["runstats"] = {};
    flags["deliveries"] = {};
    flags["list"] = {{"count", "checks per page (default 50, max 1000)"},
                     {"offset", "checks to skip (default 0)"},
                     {"page-token", "continue after an earlier page (its next_page_token)"}};
    return flags;
  }();
  return kFlags;
}

std::string Usage() {
  return "lokahictl: manage lokahi-cpp HTTP checks (output is JSON)\n\n"
         "Usage: lokahictl [--server URL] COMMAND [ARGS] [FLAGS]\n\n"
         "Commands:\n"
         "  create       creates a check\n"
         "  create_load  creates many checks concurrently and reports the rate\n"
         "  delete ID    deletes a check and prints what was deleted\n"
         "  get ID       prints a check\n"
         "  list         lists checks (--count, --offset, --page-token)\n"
         "  put ID       changes the options given as flags (--flag \"\" or 0 clears one)\n"
         "  status ID    latency histogram (24 h), uptime ratios, last probe\n"
         "  run ID       probes a check now and prints the result\n"
         "  runstats     probes per minute, latency and scheduling lag over the last hour\n"
         "  deliveries ID  webhook deliveries of a check and their outcome\n\n"
         "--server: http[s]://user:pass@host:port; else $LOKAHI_SERVER, else server = \"…\" in\n"
         "~/.lokahictl.hcl, else http://127.0.0.1:24253.\n"
         "Use \"lokahictl COMMAND --help\" for a command's flags.\n";
}

std::string CommandUsage(const std::string& command) {
  std::ostringstream out;
  const bool takes_id = command == "get" || command == "delete" || command == "put" ||
                        command == "status" || command == "run" || command == "deliveries";
  out << "Usage: lokahictl " << command << (takes_id ? " ID" : "") << " [FLAGS]\n";
  const auto& flags = CommandFlags().at(command);
  if (!flags.empty()) out << "\nFlags:\n";
  for (const auto& flag : flags) {
    std::string name = "--" + flag.name;
    name.resize(std::max<size_t>(name.size() + 2, 22), ' ');
    out << "  " << name << flag.help << "\n";
  }
  return out.str();
}

Commands::Commands(ServerAddress server, std::ostream& out, std::ostream& err)
    : server_(std::move(server)),
      channel_(grpc::CreateChannel(server_.target,
                                   server_.tls ? grpc::SslCredentials(grpc::SslCredentialsOptions())
                                               : grpc::InsecureChannelCredentials())),
      stub_(pb::Checks::NewStub(channel_)),
      out_(out),
      err_(err) {}

std::unique_ptr<grpc::ClientContext> Commands::NewContext(int timeout_seconds) const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_seconds));
  if (server_.credentials) {
    context->AddMetadata("authorization", auth::BasicAuthorizationHeader(*server_.credentials));
  }
  return context;
}

int Commands::Print(const grpc::Status& status, const google::protobuf::Message& message) {
  if (!status.ok()) {
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
        status.error_message().find("failed to connect") != std::string::npos) {
      err_ << "lokahictl: cannot reach lokahid at " << server_.target << ": "
           << status.error_message() << "\n";
    } else {
      err_ << "lokahictl: " << StatusCodeName(status.error_code()) << ": "
           << status.error_message() << "\n";
    }
    return 1;
  }
  out_ << ToJson(message);
  return 0;
}

std::string Commands::RequireId(const ParsedArgs& args) const {
  if (args.positional.size() != 1) {
    throw UsageError("lokahictl " + args.command + " takes exactly one check ID");
  }
  return args.positional[0];
}

int Commands::Run(const ParsedArgs& args) {
  if (args.command == "create") return Create(args);
  if (args.command == "create_load") return CreateLoad(args);
  if (args.command == "get") return Get(args);
  if (args.command == "list") return List(args);
  if (args.command == "put") return Put(args);
  if (args.command == "delete") return Delete(args);
  if (args.command == "status") return Status(args);
  if (args.command == "run") return RunNow(args);
  if (args.command == "runstats") return RunStats(args);
  if (args.command == "deliveries") return Deliveries(args);
  throw UsageError("unknown command \"" + args.command + "\"");
}

int Commands::Create(const ParsedArgs& args) {
  pb::CreateOpts request;
  FillOptions(args, request);
  pb::Check response;
  const auto status = stub_->Create(NewContext().get(), request, &response);
  return Print(status, response);
}

int Commands::CreateLoad(const ParsedArgs& args) {
  const int count = IntFlag(args, "count", 5000);
  const int concurrency = std::clamp(IntFlag(args, "concurrency", 32), 1, 1024);
  pb::CreateOpts request;
  request.set_url(FlagOr(args, "url", "http://127.0.0.1:9001"));
  request.set_webhook_url(FlagOr(args, "webhook-url", "http://127.0.0.1:9002"));
  request.set_every(IntFlag(args, "every", 60));
  std::atomic<int> next{0}, created{0}, failed{0};
  std::string first_error;
  std::mutex error_mutex;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < concurrency; ++w) {
    workers.emplace_back([&] {
      while (next.fetch_add(1) < count) {
        pb::Check response;
        const auto status = stub_->Create(NewContext().get(), request, &response);
        if (status.ok()) {
          created.fetch_add(1);
        } else {
          failed.fetch_add(1);
          std::lock_guard lock(error_mutex);
          if (first_error.empty()) first_error = status.error_message();
        }
      }
    });
  }
  for (auto& worker : workers) worker.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out_ << "{\n  \"created\": " << created.load() << ",\n  \"failed\": " << failed.load()
       << ",\n  \"seconds\": " << seconds << ",\n  \"per_second\": "
       << (seconds > 0 ? created.load() / seconds : 0) << "\n}\n";
  if (failed.load() > 0) {
    err_ << "lokahictl: " << failed.load() << " creates failed, first: " << first_error << "\n";
    return 1;
  }
  return 0;
}

int Commands::Get(const ParsedArgs& args) {
  pb::CheckID request;
  request.set_id(RequireId(args));
  pb::Check response;
  return Print(stub_->Get(NewContext().get(), request, &response), response);
}

int Commands::List(const ParsedArgs& args) {
  pb::ListOpts request;
  request.set_count(IntFlag(args, "count", 0));
  request.set_offset(IntFlag(args, "offset", 0));
  request.set_page_token(FlagOr(args, "page-token", ""));
  pb::ChecksPage response;
  return Print(stub_->List(NewContext().get(), request, &response), response);
}

int Commands::Put(const ParsedArgs& args) {
  const pb::Check request = PutRequest(args, RequireId(args));
  pb::Check response;
  return Print(stub_->Put(NewContext().get(), request, &response), response);
}

int Commands::Delete(const ParsedArgs& args) {
  pb::CheckID request;
  request.set_id(RequireId(args));
  pb::Check response;
  return Print(stub_->Delete(NewContext().get(), request, &response), response);
}

int Commands::Status(const ParsedArgs& args) {
  pb::CheckID request;
  request.set_id(RequireId(args));
  pb::CheckStatus response;
  return Print(stub_->Status(NewContext().get(), request, &response), response);
}

int Commands::RunNow(const ParsedArgs& args) {
  pb::CheckID request;
  request.set_id(RequireId(args));
  pb::CheckStatus response;
  return Print(stub_->Run(NewContext(60).get(), request, &response), response);
}

int Commands::RunStats(const ParsedArgs& args) {
  pb::Nil request;
  pb::PipelineStats response;
  return Print(stub_->RunStats(NewContext(60).get(), request, &response), response);
}

int Commands::Deliveries(const ParsedArgs& args) {
  pb::CheckID request;
  request.set_id(RequireId(args));
  pb::DeliveriesPage response;
  return Print(stub_->Deliveries(NewContext().get(), request, &response), response);
}

}  // namespace lokahi::lokahictl
