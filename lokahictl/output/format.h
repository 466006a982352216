#pragma once
// How lokahictl prints an answer: JSON (the protobuf JSON mapping, what scripts parse), YAML (the
// same document), or a table for people.

#include <google/protobuf/message.h>

#include <string>

namespace lokahi::lokahictl::output {

enum class Format { kJson, kYaml, kTable, kWide };

// "json", "yaml", "table" or "wide"; throws std::invalid_argument naming the choices otherwise.
Format ParseFormat(const std::string& name);

// Indented, field names as in the .proto, every field printed (zeros too), enums by name.
std::string ToJson(const google::protobuf::Message& message);

// The JSON document as block YAML; strings that YAML would read as another type stay quoted.
std::string ToYaml(const google::protobuf::Message& message);

}  // namespace lokahi::lokahictl::output
