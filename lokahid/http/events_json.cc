#include "lokahid/http/events_json.h"

#include <nlohmann/json.hpp>

namespace lokahi::lokahid {
namespace {

constexpr int kMaxDepth = 32;

// Collects the items of an /events body as nlohmann's SAX parser reads it, keeping only what the
// handler needs (each item's top-level fields) and refusing depth and item counts over the bounds
// while reading, before anything is built from the rest of the body.
class ItemCollector final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit ItemCollector(size_t max_items) : max_items_(max_items) {}

  std::vector<EventsJsonItem>& items() { return items_; }
  const std::string& error() const { return error_; }

  bool null() override { return Scalar(EventsJsonValue{}); }
  bool boolean(bool) override { return Scalar(EventsJsonValue{}); }
  bool number_integer(number_integer_t n) override { return Number(static_cast<double>(n)); }
  bool number_unsigned(number_unsigned_t n) override { return Number(static_cast<double>(n)); }
  bool number_float(number_float_t n, const string_t&) override { return Number(n); }
  bool string(string_t& text) override {
    EventsJsonValue value;
    value.kind = EventsJsonValue::Kind::kString;
    value.text = std::move(text);
    return Scalar(std::move(value));
  }
  bool binary(binary_t&) override { return Fail("binary values are not JSON"); }

  bool start_object(size_t) override {
    if (depth_ == 0) {
      top_is_array_ = false;
      if (!AddItem(true)) return false;
    } else if (depth_ == 1 && top_is_array_) {
      if (!AddItem(true)) return false;
    } else if (!Scalar(EventsJsonValue{})) {
      return false;
    }
    return Enter();
  }
  bool key(string_t& name) override {
    if (depth_ == ItemDepth()) pending_key_ = std::move(name);
    return true;
  }
  bool end_object() override { return Leave(); }

  bool start_array(size_t) override {
    if (depth_ == 0) {
      top_is_array_ = true;
    } else if (!Scalar(EventsJsonValue{})) {
      return false;
    }
    return Enter();
  }
  bool end_array() override { return Leave(); }

  bool parse_error(size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ..."
    if (const auto colon = what.find(": "); colon != std::string::npos) what.erase(0, colon + 2);
    return Fail(what + " (byte " + std::to_string(position) + ")");
  }

 private:
  int ItemDepth() const { return top_is_array_ ? 2 : 1; }

  bool Enter() {
    if (++depth_ > kMaxDepth) return Fail("nesting deeper than " + std::to_string(kMaxDepth));
    return true;
  }
  bool Leave() {
    --depth_;
    return true;
  }

  bool Number(double n) {
    EventsJsonValue value;
    value.kind = EventsJsonValue::Kind::kNumber;
    value.number = n;
    return Scalar(std::move(value));
  }

  // A value (or the start of a nested one) at the current depth.
  bool Scalar(EventsJsonValue value) {
    if (depth_ == 0) return Fail("expected a JSON object or array");
    if (depth_ == 1 && top_is_array_) return AddItem(false);
    if (depth_ == ItemDepth()) {
      items_.back().fields.emplace_back(std::move(pending_key_), std::move(value));
      pending_key_.clear();
    }
    return true;
  }

  bool AddItem(bool is_object) {
    if (items_.size() == max_items_) {
      return Fail("at most " + std::to_string(max_items_) + " alerts per request");
    }
    items_.emplace_back().is_object = is_object;
    return true;
  }

  bool Fail(std::string what) {
    if (error_.empty()) error_ = std::move(what);
    return false;
  }

  const size_t max_items_;
  std::vector<EventsJsonItem> items_;
  std::string error_;
  std::string pending_key_;
  bool top_is_array_ = false;
  int depth_ = 0;
};

}  // namespace

std::optional<std::vector<EventsJsonItem>> ParseEventsJson(std::string_view body, size_t max_items,
                                                           std::string* error) {
  ItemCollector collector(max_items);
  const bool parsed =
      nlohmann::json::sax_parse(body, &collector, nlohmann::json::input_format_t::json,
                                /*strict=*/true);
  if (!parsed || !collector.error().empty()) {
    *error = collector.error().empty() ? "not JSON" : collector.error();
    return std::nullopt;
  }
  return std::move(collector.items());
}

}  // namespace lokahi::lokahid
