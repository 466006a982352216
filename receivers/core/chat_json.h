#pragma once
// JSON for chat webhooks, built as a google.protobuf.Struct so escaping is protobuf's, not ours.

#include <google/protobuf/struct.pb.h>

#include <string>
#include <string_view>

namespace lokahi::receivers {

google::protobuf::Value StringValue(std::string_view text);
google::protobuf::Value BoolValue(bool value);

// Compact JSON of `object`. Throws std::runtime_error if protobuf refuses it (it cannot for
// Structs of valid UTF-8 strings, which is all the formatters build).
std::string SerializeJson(const google::protobuf::Struct& object);

}  // namespace lokahi::receivers
