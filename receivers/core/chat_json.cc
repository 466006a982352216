#include "receivers/core/chat_json.h"

#include <google/protobuf/util/json_util.h>

#include <stdexcept>

namespace lokahi::receivers {

google::protobuf::Value StringValue(std::string_view text) {
  google::protobuf::Value value;
  value.set_string_value(std::string(text));
  return value;
}

google::protobuf::Value BoolValue(bool flag) {
  google::protobuf::Value value;
  value.set_bool_value(flag);
  return value;
}

std::string SerializeJson(const google::protobuf::Struct& object) {
  std::string json;
  const auto result = google::protobuf::util::MessageToJsonString(object, &json);
  if (!result.ok()) {
    throw std::runtime_error("cannot encode chat message as JSON: " +
                             std::string(result.message()));
  }
  return json;
}

}  // namespace lokahi::receivers
