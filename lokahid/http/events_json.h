#pragma once
// The JSON of purple's POST /events, read with nlohmann's SAX parser straight into the fields the
// handler needs: protobuf's JSON parser (via a Value) cost ~37 us per alert, as much as storing
// it. Strict RFC 8259 syntax (no comments, no trailing commas, no leading zeros, control
// characters escaped in strings, \u escapes with valid surrogate pairs); nesting deeper than 32
// levels and more than `max_items` items are refused while reading. Pure; no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lokahi::lokahid {

struct EventsJsonValue {
  enum class Kind { kString, kNumber, kOther };  // kOther: object, array, true, false, null
  Kind kind = Kind::kOther;
  std::string text;   // kString: decoded (UTF-8)
  double number = 0;  // kNumber
};

struct EventsJsonItem {
  bool is_object = false;
  std::vector<std::pair<std::string, EventsJsonValue>> fields;  // in order; repeats kept
};

// The items of a body that is one object (one item) or an array (its elements, at most
// `max_items`: more is refused without reading on). On an error returns nullopt with `error`
// saying what and at which byte.
std::optional<std::vector<EventsJsonItem>> ParseEventsJson(std::string_view body, size_t max_items,
                                                           std::string* error);

}  // namespace lokahi::lokahid
