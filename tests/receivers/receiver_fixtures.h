#pragma once
// What the receiver integration tests share: a sample CheckStatus, posting it
// as lokahi does, reading key=value log lines, and a fake chat service to relay to.

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "alerts.pb.h"
#include "lib/http/server.h"
#include "lib/logging/logger.h"
#include "lokahi.pb.h"
#include "receivers/core/webhook_signature.h"
#include "tests/receivers/fake_chat_endpoint.h"

namespace lokahi::receivers::testing {

// chk_1: DOWN (was UP), answered 500 in 2.265 ms, playbook set, transition 42.
github::xe::lokahi::CheckStatus SampleStatus();

// POSTs `status` to 127.0.0.1:`port` at lokahi's Twirp path with lokahi's headers, as protobuf or
// (json = true) the JSON mapping; signed now, as Standard Webhooks says, when `sign_with` is given.
httplib::Result PostStatus(int port, const github::xe::lokahi::CheckStatus& status,
                           const std::string& webhook_id, bool json = false,
                           const SignatureVerifier* sign_with = nullptr);

// web1/backup raised: notify_count 1, notification 7, subject "nightly backup missing", detail "no
// file since 02:00", URGENT.
github::xe::lokahi::AlertStatus SampleAlert(
    github::xe::lokahi::AlertStatus::Kind kind = github::xe::lokahi::AlertStatus::RAISED);

// POSTs an alert notification as the webhookworker does, to `path` (the AlertWebhook path by
// default), as the JSON mapping (alerts' default) or protobuf.
httplib::Result PostAlert(int port, const github::xe::lokahi::AlertStatus& status,
                          const std::string& webhook_id, bool json = true,
                          const std::string& path = "/twirp/github.xe.lokahi.AlertWebhook/Handle");

// The fields of the first log line in `log` with event=`event` and check_id=`check_id` (quoted
// values unquoted); nullopt when there is none.
std::optional<std::map<std::string, std::string>> FindLogLine(const std::string& log,
                                                              const std::string& event,
                                                              const std::string& check_id);

// The fields of every log line in `log` with event=`event`, in order.
std::vector<std::map<std::string, std::string>> LogLines(const std::string& log,
                                                         const std::string& event);

// How many log lines carry event=`event`.
int CountEvents(const std::string& log, const std::string& event);

}  // namespace lokahi::receivers::testing
