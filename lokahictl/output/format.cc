#include "lokahictl/output/format.h"

#include <google/protobuf/util/json_util.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <regex>
#include <stdexcept>

#include "lib/checks/quote.h"

namespace lokahi::lokahictl::output {

namespace {

// A plain YAML scalar with this text would load as a bool, null or number, not a string.
bool ReadsAsNonString(const std::string& text) {
  static const std::regex kSpecial(
      R"(^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|0x[0-9a-fA-F]+|0o[0-7]+)$)");
  return text.empty() || std::regex_match(text, kSpecial);
}

void Emit(YAML::Emitter& out, const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      if (node.size() == 0) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        return;
      }
      out << YAML::BeginMap;
      for (const auto& entry : node) {
        out << YAML::Key << entry.first.Scalar() << YAML::Value;
        Emit(out, entry.second);
      }
      out << YAML::EndMap;
      return;
    case YAML::NodeType::Sequence:
      if (node.size() == 0) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        return;
      }
      out << YAML::BeginSeq;
      for (const auto& item : node) Emit(out, item);
      out << YAML::EndSeq;
      return;
    case YAML::NodeType::Scalar:
      // Tag "!" marks a quoted JSON string: keep it a string when the plain form would not be.
      if (node.Tag() == "!" && ReadsAsNonString(node.Scalar())) {
        out << YAML::DoubleQuoted << node.Scalar();
      } else {
        out << node.Scalar();
      }
      return;
    default:
      out << YAML::Null;
  }
}

}  // namespace

Format ParseFormat(const std::string& name) {
  if (name == "json") return Format::kJson;
  if (name == "yaml") return Format::kYaml;
  if (name == "table") return Format::kTable;
  if (name == "wide") return Format::kWide;
  throw std::invalid_argument("-o must be json, yaml, table or wide, got \"" + name.substr(0, 100) +
                              "\"");
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

std::string ToYaml(const google::protobuf::Message& message) {
  YAML::Emitter out;
  Emit(out, YAML::Load(ToJson(message)));
  return std::string(out.c_str()) + "\n";
}

}  // namespace lokahi::lokahictl::output
