#include "lokahictl/commands.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "lib/checks/check.h"
#include "lib/checks/quote.h"
#include "lokahictl/apply_plan.h"
#include "lokahictl/maintenance_commands.h"
#include "lokahictl/output/status_name.h"

namespace lokahi::lokahictl {

namespace pb = github::xe::lokahi;

namespace {

FlagSpec Text(std::string name, std::string help, std::vector<std::string> choices = {}) {
  FlagSpec flag;
  flag.name = std::move(name);
  flag.help = std::move(help);
  flag.choices = std::move(choices);
  return flag;
}

FlagSpec Int(std::string name, std::string help, int64_t min, int64_t max, std::string unit = "") {
  FlagSpec flag;
  flag.name = std::move(name);
  flag.help = std::move(help);
  flag.kind = FlagSpec::Kind::kInt;
  flag.min = min;
  flag.max = max;
  flag.unit = std::move(unit);
  return flag;
}

FlagSpec Repeatable(std::string name, std::string help) {
  FlagSpec flag = Text(std::move(name), std::move(help));
  flag.repeatable = true;
  return flag;
}

CommandSpec Command(std::string summary, std::string operand = "", std::vector<FlagSpec> flags = {},
                    std::vector<std::string> choices = {}) {
  CommandSpec command;
  command.summary = std::move(summary);
  command.operand = std::move(operand);
  command.flags = std::move(flags);
  command.operand_choices = std::move(choices);
  return command;
}

const std::vector<FlagSpec> kCheckOptionFlags = {
    Text("url", "the http(s) URL to monitor"),
    Text("webhook-url", "where state changes are POSTed"),
    Int("every", "seconds between probes (default 60; 0: the default)", 0, checks::kMaxEverySeconds,
        "seconds"),
    Text("playbook-url", "URL of the runbook, passed along in webhooks"),
    Int("timeout-ms", "probe deadline in milliseconds (default 10000)", 0, checks::kMaxTimeoutMs,
        "ms"),
    Int("expected-status", "HTTP status that means UP (default 0: any 2xx)", 0, 599),
    Int("failure-threshold", "consecutive failures before leaving UP (default 1)", 0,
        checks::kMaxThreshold),
    Int("recovery-threshold", "consecutive successes before UP (default 1)", 0,
        checks::kMaxThreshold),
    Text("webhook-format", "protobuf (default, lokahi's) or json", {"protobuf", "json"}),
    Text("webhook-secret", "Standard Webhooks signing secret, whsec_…"),
    Text("notify-failure-kind-change",
         "true (default, lokahi's): a failing check notifies when it switches DOWN <-> ERROR; "
         "false: it stays silent until it recovers",
         {"true", "false"}),
    Text("name", "a unique name people read instead of the URL (at most 200 characters)"),
    Repeatable("label", "key=value, e.g. team=payments; on put, key= removes the label"),
    Text("method", "HTTP method of the probe (default GET)",
         {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}),
    Repeatable("header",
               "'Name: value' sent with each probe (the value is stored, never shown); on put, "
               "the headers given replace all of them ('Name:' keeps its stored value, "
               "--header '' clears them)"),
    Text("body", "request body, at most 64 KB (POST, PUT, PATCH, DELETE, OPTIONS)"),
    Text("follow-redirects", "true (default): follow up to 5 redirects; false: judge the 3xx",
         {"true", "false"}),
    Text("ip-version", "any (default), 4 or 6", {"any", "4", "6"}),
};

// "Name: value" → {name, value}; "Name:" has an empty value (on put: keep the stored one).
std::pair<std::string, std::string> HeaderFlag(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0) {
    // Not quoted back: it may hold a token.
    throw UsageError("--header must be 'Name: value' (e.g. 'Authorization: Bearer …')");
  }
  const auto start = text.find_first_not_of(" \t", colon + 1);
  return {text.substr(0, colon), start == std::string::npos ? "" : text.substr(start)};
}

// "key=value" → {key, value}.
std::pair<std::string, std::string> LabelFlag(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw UsageError("--label must be key=value (e.g. team=payments), got " + checks::Quote(text));
  }
  return {text.substr(0, eq), text.substr(eq + 1)};
}

const std::vector<std::string>& Repeated(const ParsedArgs& args, const std::string& name) {
  static const std::vector<std::string> kNone;
  const auto it = args.repeated.find(name);
  return it == args.repeated.end() ? kNone : it->second;
}

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
  // Unset (not given, or given empty to Put) means the default, true.
  if (const auto notify = FlagOr(args, "notify-failure-kind-change", ""); !notify.empty()) {
    m.set_notify_failure_kind_change(notify == "true");
  }
  m.set_name(FlagOr(args, "name", ""));
  m.set_method(FlagOr(args, "method", ""));
  m.set_body(FlagOr(args, "body", ""));
  if (const auto follow = FlagOr(args, "follow-redirects", ""); !follow.empty()) {
    m.set_follow_redirects(follow == "true");
  }
  const auto ip = FlagOr(args, "ip-version", "");
  m.set_ip_version(ip == "4" ? pb::IP_V4 : ip == "6" ? pb::IP_V6 : pb::IP_ANY);
  for (const auto& text : Repeated(args, "header")) {
    if (text.empty()) continue;  // --header '': none (on put: clears them)
    const auto [name, value] = HeaderFlag(text);
    auto* header = m.add_headers();
    header->set_name(name);
    header->set_value(value);
  }
}

}  // namespace

pb::CreateOpts CreateRequest(const ParsedArgs& args) {
  pb::CreateOpts request;
  FillOptions(args, request);
  for (const auto& text : Repeated(args, "label")) {
    const auto [key, value] = LabelFlag(text);
    (*request.mutable_labels())[key] = value;
  }
  return request;
}

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
  if (args.repeated.contains("header")) request.mutable_update_mask()->add_paths("headers");
  // One path per label: the others stay as they are. "key=" removes the label.
  for (const auto& text : Repeated(args, "label")) {
    const auto [key, value] = LabelFlag(text);
    request.mutable_update_mask()->add_paths("labels." + key);
    if (value.empty()) {
      request.mutable_labels()->erase(key);
    } else {
      (*request.mutable_labels())[key] = value;
    }
  }
  return request;
}

pb::Check EnabledRequest(const std::string& id, bool enabled) {
  pb::Check request;
  request.set_id(id);
  request.set_enabled(enabled);
  request.mutable_update_mask()->add_paths("enabled");
  return request;
}

// A new command or flag is one entry here: parsing, --help, range checks and shell completion
// follow from it.
const CommandTable& CommandFlags() {
  static const CommandTable kTable = [] {
    CommandTable table;
    table["create"] = Command("creates a check", "", kCheckOptionFlags);
    table["put"] = Command("changes the options given as flags (--flag \"\" or 0 clears one)", "ID",
                           kCheckOptionFlags);
    table["create_load"] =
        Command("creates many checks concurrently and reports the rate", "",
                {Int("count", "how many checks to create (default 5000)", 1, 10'000'000),
                 Int("concurrency", "requests in flight (default 32)", 1, 1024),
                 Text("url", "URL each check monitors (default http://127.0.0.1:9001)"),
                 Text("webhook-url", "webhook for each (default http://127.0.0.1:9002)"),
                 Int("every", "seconds between probes (default 60)", 0, checks::kMaxEverySeconds,
                     "seconds")});
    table["get"] = Command("prints a check", "ID");
    table["pause"] =
        Command("stops probing a check (it keeps its history and sends nothing)", "ID");
    table["resume"] = Command("probes a paused check again", "ID");
    table["delete"] = Command("deletes a check and prints what was deleted", "ID");
    table["status"] = Command("latency histogram (24 h), uptime ratios, last probe", "ID");
    table["run"] = Command("probes a check now and prints the result", "ID");
    table["runstats"] = Command("probes per minute, latency and scheduling lag over the last hour");
    table["deliveries"] = Command("webhook deliveries of a check and their outcome", "ID");
    table["list"] =
        Command("lists checks", "",
                {Int("count", "checks per page (default 50, max 1000)", 0, 1000),
                 Int("offset", "checks to skip (default 0)", 0, INT32_MAX),
                 Text("page-token", "continue after an earlier page (its next_page_token)"),
                 Text("state", "only checks in this state", {"INIT", "UP", "DOWN", "ERROR"}),
                 Text("selector", "only checks whose labels match, e.g. team=payments,env!=dev"),
                 Text("search", "only checks whose name or URL holds this (3+ characters)")});
    table["alert"] = AlertCommandSpec();
    table["maintenance"] = MaintenanceCommand();
    table["completion"] = Command("prints a shell completion script", "SHELL", {}, {"bash", "zsh"});
    FlagSpec file = Text("file", "the checks file (YAML; - reads standard input)");
    file.short_name = 'f';
    FlagSpec prune = Text("prune", "also delete the checks (of --selector) the file does not list");
    prune.kind = FlagSpec::Kind::kSwitch;
    FlagSpec dry_run = Text("dry-run", "print the plan and change nothing");
    dry_run.kind = FlagSpec::Kind::kSwitch;
    const FlagSpec selector =
        Text("selector", "only checks with these labels: key=value[,key=value…]");
    table["apply"] = Command(
        "makes the server's checks what a checks file says: creates, updates (and with --prune "
        "deletes), printing the plan first",
        "", {file, prune, selector, dry_run});
    table["export"] = Command("prints the checks as a checks file for apply", "", {selector});
    return table;
  }();
  return kTable;
}

std::string Usage() { return CommandLine(CommandFlags()).Help(); }

std::string CommandUsage(const std::string& command) {
  return CommandLine(CommandFlags()).Help(command);
}

Commands::Commands(ServerAddress server, output::Renderer renderer, std::ostream& out,
                   std::ostream& err, EnvLookup env)
    : server_(std::move(server)),
      renderer_(std::move(renderer)),
      channel_(grpc::CreateChannel(server_.target,
                                   server_.tls ? grpc::SslCredentials(grpc::SslCredentialsOptions())
                                               : grpc::InsecureChannelCredentials())),
      stub_(pb::Checks::NewStub(channel_)),
      alerts_stub_(pb::Alerts::NewStub(channel_)),
      maintenance_stub_(pb::Maintenance::NewStub(channel_)),
      out_(out),
      err_(err),
      env_(env ? std::move(env) : [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        return value ? std::optional<std::string>(value) : std::nullopt;
      }) {}

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
      err_ << "lokahictl: " << output::StatusCodeName(status.error_code()) << ": "
           << status.error_message() << "\n";
    }
    return 1;
  }
  renderer_.Print(message, out_);
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
  if (args.command == "pause" || args.command == "resume") return SetEnabled(args);
  if (args.command == "delete") return Delete(args);
  if (args.command == "status") return Status(args);
  if (args.command == "run") return RunNow(args);
  if (args.command == "runstats") return RunStats(args);
  if (args.command == "deliveries") return Deliveries(args);
  if (args.command == "alert") return Alert(args);
  if (args.command == "maintenance") return Maintenance(args);
  if (args.command == "apply") return Apply(args);
  if (args.command == "export") return Export(args);
  throw UsageError("unknown command \"" + args.command + "\"");
}

int Commands::Create(const ParsedArgs& args) {
  const pb::CreateOpts request = CreateRequest(args);
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
       << ",\n  \"seconds\": " << seconds
       << ",\n  \"per_second\": " << (seconds > 0 ? created.load() / seconds : 0) << "\n}\n";
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
  if (const auto state = FlagOr(args, "state", ""); !state.empty()) {
    pb::Check::State value;
    if (!pb::Check::State_Parse(state, &value)) {
      throw UsageError("--state must be INIT, UP, DOWN or ERROR, got " + checks::Quote(state));
    }
    request.set_state(value);
  }
  request.set_selector(FlagOr(args, "selector", ""));
  request.set_search(FlagOr(args, "search", ""));
  pb::ChecksPage response;
  return Print(stub_->List(NewContext().get(), request, &response), response);
}

int Commands::Put(const ParsedArgs& args) {
  const pb::Check request = PutRequest(args, RequireId(args));
  pb::Check response;
  return Print(stub_->Put(NewContext().get(), request, &response), response);
}

int Commands::SetEnabled(const ParsedArgs& args) {
  const pb::Check request = EnabledRequest(RequireId(args), args.command == "resume");
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

int Commands::Maintenance(const ParsedArgs& args) {
  const std::string action = args.positional.empty() ? "" : args.positional[0];
  if (action == "create" && args.positional.size() == 1) {
    const pb::MaintenanceWindow request = MaintenanceCreateRequest(args);
    pb::MaintenanceWindow response;
    return Print(maintenance_stub_->Create(NewContext().get(), request, &response), response);
  }
  if (action == "list" && args.positional.size() == 1) {
    pb::MaintenanceWindows response;
    return Print(maintenance_stub_->List(NewContext().get(), pb::MaintenanceListOpts(), &response),
                 response);
  }
  if (action == "delete" && args.positional.size() == 2) {
    pb::MaintenanceWindowID request;
    request.set_id(args.positional[1]);
    pb::MaintenanceWindow response;
    return Print(maintenance_stub_->Delete(NewContext().get(), request, &response), response);
  }
  throw UsageError("lokahictl maintenance takes create [flags], list, or delete ID");
}

}  // namespace lokahi::lokahictl

namespace lokahi::lokahictl {

int Commands::Failed(const grpc::Status& status) {
  pb::Check unused;
  return Print(status, unused);
}

bool Commands::ListAll(std::vector<pb::Check>& checks) {
  pb::ListOpts request;
  request.set_count(1000);
  for (int page = 0; page < 100'000; ++page) {
    pb::ChecksPage response;
    const auto status = stub_->List(NewContext().get(), request, &response);
    if (!status.ok()) {
      Failed(status);
      return false;
    }
    for (auto& result : *response.mutable_results()) {
      checks.push_back(std::move(*result.mutable_check()));
    }
    if (response.next_page_token().empty()) return true;
    request.set_page_token(response.next_page_token());
  }
  return true;
}

int Commands::Apply(const ParsedArgs& args) {
  const std::string path = FlagOr(args, "file", "");
  if (path.empty()) {
    throw UsageError("lokahictl apply needs -f FILE (the checks file; - for stdin)");
  }
  const auto selector = Selector::Parse(FlagOr(args, "selector", ""));
  const bool prune = args.flags.contains("prune");
  const bool dry_run = args.flags.contains("dry-run");
  if (!selector.empty() && !prune) throw UsageError("--selector goes with --prune on apply");
  std::string text;
  {
    std::ifstream file;
    std::istream* in = &std::cin;
    if (path != "-") {
      file.open(path);
      if (!file) {
        err_ << "lokahictl: cannot read " << path << "\n";
        return 1;
      }
      in = &file;
    }
    std::ostringstream content;
    content << in->rdbuf();
    text = content.str();
  }
  std::vector<DesiredCheck> desired;
  std::vector<pb::Check> current;
  Plan plan;
  try {
    desired = ParseCheckFile(text, path == "-" ? "(stdin)" : path, env_);
    if (!ListAll(current)) return 1;
    plan = MakePlan(desired, current, prune, selector);
  } catch (const CheckFileError& e) {
    err_ << e.what() << "\nlokahictl: nothing was changed\n";
    return 1;
  }
  out_ << FormatPlan(plan);
  if (dry_run) {
    out_ << "Dry run: nothing was changed.\n";
    return 0;
  }
  size_t done = 0;
  for (const auto& step : plan.steps) {
    grpc::Status status;
    pb::Check response;
    switch (step.kind) {
      case PlanStep::Kind::kCreate:
        status = stub_->Create(NewContext().get(), step.desired->options, &response);
        if (status.ok()) out_ << "created " << step.title << " (id " << response.id() << ")\n";
        break;
      case PlanStep::Kind::kUpdate:
        status = stub_->Put(NewContext().get(), UpdateRequest(step), &response);
        if (status.ok()) out_ << "updated " << step.title << " (id " << response.id() << ")\n";
        break;
      case PlanStep::Kind::kDelete: {
        pb::CheckID id;
        id.set_id(step.current.id());
        status = stub_->Delete(NewContext().get(), id, &response);
        if (status.ok()) out_ << "deleted " << step.title << " (id " << step.current.id() << ")\n";
        break;
      }
    }
    if (!status.ok()) {
      err_ << "lokahictl: apply stopped at " << step.title << " after " << done << " of "
           << plan.steps.size() << " changes\n";
      return Failed(status);
    }
    ++done;
  }
  return 0;
}

int Commands::Export(const ParsedArgs& args) {
  const auto selector = Selector::Parse(FlagOr(args, "selector", ""));
  std::vector<pb::Check> all;
  if (!ListAll(all)) return 1;
  std::vector<pb::Check> chosen;
  for (auto& check : all) {
    if (selector.Matches(check)) chosen.push_back(std::move(check));
  }
  out_ << ExportCheckFile(std::move(chosen));
  return 0;
}

}  // namespace lokahi::lokahictl
