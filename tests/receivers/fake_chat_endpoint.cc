#include "tests/receivers/fake_chat_endpoint.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <stdexcept>
#include <thread>

namespace lokahi::receivers::testing {

FakeChatEndpoint::FakeChatEndpoint(std::vector<Answer> script, std::optional<RateLimit> rate_limit)
    : script_(std::move(script)),
      rate_limit_(rate_limit),
      server_([this](const http::Request& request) { return Handle(request); },
              [] {
                http::ServerLimits limits;
                limits.handler_threads = 4;
                // Short keep-alive, so stopping does not wait on the relay's idle connection.
                limits.idle_timeout = std::chrono::seconds(1);
                return limits;
              }(),
              log_) {
  port_ = server_.Listen("127.0.0.1", 0);
}

FakeChatEndpoint::~FakeChatEndpoint() { server_.Stop(); }

http::Response FakeChatEndpoint::Handle(const http::Request& request) {
  if (request.method != "POST") return http::TextResponse(405, "POST only");
  Answer answer;
  std::optional<std::pair<int, double>> announced;  // remaining, seconds to the window's end
  {
    std::lock_guard lock(mutex_);
    received_.push_back({request.path,
                         std::string(request.headers.Get("Content-Type").value_or("")),
                         request.body});
    if (!script_.empty()) {
      answer = script_.front();
      script_.erase(script_.begin());
    }
    if (rate_limit_) {
      const auto now = std::chrono::steady_clock::now();
      if (now < refusing_to_) ++early_;
      if (now >= window_end_) {
        window_end_ = now + rate_limit_->per;
        used_ = 0;
      }
      const double reset_after = std::chrono::duration<double>(window_end_ - now).count();
      if (used_ >= rate_limit_->posts) {
        ++rate_limited_;
        refusing_to_ = window_end_;
        answer = Answer(429, std::to_string(reset_after));
      } else if (answer.status < 300) {
        ++used_;
        accepted_.push_back(request.body);
        if (used_ == rate_limit_->posts && rate_limit_->announce) refusing_to_ = window_end_;
      }
      if (rate_limit_->announce) announced = {rate_limit_->posts - used_, reset_after};
    } else if (answer.status < 300) {
      accepted_.push_back(request.body);
    }
  }
  changed_.notify_all();
  std::this_thread::sleep_for(answer.delay);
  http::Response response;
  response.status = answer.status;
  if (!answer.retry_after.empty()) response.headers.Add("Retry-After", answer.retry_after);
  if (announced) {
    response.headers.Add("X-RateLimit-Limit", std::to_string(rate_limit_->posts));
    response.headers.Add("X-RateLimit-Remaining", std::to_string(announced->first));
    response.headers.Add("X-RateLimit-Reset-After", std::to_string(announced->second));
  }
  response.headers.Add("Content-Type", "application/json");
  response.body = answer.status < 300 ? "" : "{\"message\": \"scripted failure\"}";
  return response;
}

std::string FakeChatEndpoint::WebhookUrl() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/api/webhooks/123/" + kSecretToken;
}

std::vector<std::string> FakeChatEndpoint::Accepted() {
  std::lock_guard lock(mutex_);
  return accepted_;
}

int FakeChatEndpoint::NotificationsIn(const std::string& body) {
  google::protobuf::Struct message;
  if (!google::protobuf::util::JsonStringToMessage(body, &message).ok()) {
    throw std::runtime_error("not a JSON chat message: " + body.substr(0, 100));
  }
  const auto& fields = message.fields();
  const std::string text = fields.count("content") ? fields.at("content").string_value()
                                                   : fields.at("text").string_value();
  const std::string marker = "📣 ";
  if (text.rfind(marker, 0) != 0) return 1;
  return std::stoi(text.substr(marker.size()));
}

int FakeChatEndpoint::RateLimited() {
  std::lock_guard lock(mutex_);
  return rate_limited_;
}

int FakeChatEndpoint::Early() {
  std::lock_guard lock(mutex_);
  return early_;
}

std::vector<FakeChatEndpoint::Received> FakeChatEndpoint::WaitForRequests(
    size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return received_.size() >= count; });
  return received_;
}

}  // namespace lokahi::receivers::testing
