#include "lokahictl/check_file.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <sstream>

#include "lib/auth/secret_fingerprint.h"
#include "lib/checks/check.h"
#include "lib/checks/quote.h"
#include "lib/checks/validation.h"

namespace lokahi::lokahictl {

namespace pb = github::xe::lokahi;
namespace gp = google::protobuf;
using gp::FieldDescriptor;

namespace {

// Options whose default is not the zero value: a file leaving them out, or giving 0, means this.
const std::map<std::string, std::string>& NonZeroDefaults() {
  static const std::map<std::string, std::string> kDefaults = {
      {"every", std::to_string(checks::kDefaultEverySeconds)},
      {"timeout_ms", std::to_string(checks::kDefaultTimeoutMs)},
      {"failure_threshold", "1"},
      {"recovery_threshold", "1"},
      {"notify_failure_kind_change", "true"},
      {"enabled", "true"},
      {"method", "GET"},
      {"follow_redirects", "true"},
  };
  return kDefaults;
}

// Fields a file may not set: what the server decides or reports.
bool IsReadOnly(const std::string& field) {
  return !pb::CreateOpts::descriptor()->FindFieldByName(field);
}

// "WEBHOOK_FORMAT_JSON" of enum WebhookFormat -> "json".
std::string EnumShortName(const gp::EnumValueDescriptor* value) {
  std::string prefix;
  for (char c : value->type()->name()) {
    if (std::isupper(static_cast<unsigned char>(c)) && !prefix.empty()) prefix += '_';
    prefix += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  prefix += '_';
  std::string name = value->name();
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  return name;
}

std::string ScalarText(const gp::Message& m, const FieldDescriptor* f, int index) {
  const auto* r = m.GetReflection();
  const bool repeated = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return repeated ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
    case FieldDescriptor::CPPTYPE_INT32:
      return std::to_string(repeated ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return std::to_string(repeated ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return std::to_string(repeated ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
    case FieldDescriptor::CPPTYPE_UINT64:
      return std::to_string(repeated ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return (repeated ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_ENUM:
      return EnumShortName(repeated ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f));
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      std::ostringstream out;
      out << (repeated ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
      return out.str();
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      std::ostringstream out;
      out << (repeated ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
      return out.str();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const gp::Message& sub = repeated ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f);
      std::string text;
      // An item holding a secret (a request header): compared by its value's fingerprint, which
      // is all the server returns of it.
      const auto* secret = sub.GetDescriptor()->FindFieldByName("value");
      const auto* fingerprint = sub.GetDescriptor()->FindFieldByName("value_fingerprint");
      for (int i = 0; i < sub.GetDescriptor()->field_count(); ++i) {
        const auto* sf = sub.GetDescriptor()->field(i);
        if (fingerprint && sf == secret) continue;
        if (fingerprint && sf == fingerprint) {
          const std::string value = sub.GetReflection()->GetString(sub, secret);
          text += (text.empty() ? "" : " ") + sf->name() + "=" +
                  (value.empty() ? sub.GetReflection()->GetString(sub, fingerprint)
                                 : auth::SecretFingerprint(value));
          continue;
        }
        if (sf->is_repeated() ? sub.GetReflection()->FieldSize(sub, sf) == 0
                              : !sub.GetReflection()->HasField(sub, sf)) {
          continue;
        }
        text += (text.empty() ? "" : " ") + sf->name() + "=";
        if (sf->is_repeated()) {
          for (int j = 0; j < sub.GetReflection()->FieldSize(sub, sf); ++j) {
            text += (j ? "," : "") + ScalarText(sub, sf, j);
          }
        } else {
          text += ScalarText(sub, sf, 0);
        }
      }
      return "{" + text + "}";
    }
  }
  return "";
}

// ${VAR} expansion; $${ stays a literal "${". Unset variables are collected, not expanded.
std::string Expand(const std::string& value, const EnvLookup& env,
                   std::vector<std::string>* unset) {
  std::string out;
  for (size_t i = 0; i < value.size();) {
    if (value.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (value.compare(i, 2, "${") == 0) {
      const size_t end = value.find('}', i + 2);
      if (end != std::string::npos) {
        const std::string name = value.substr(i + 2, end - i - 2);
        if (const auto found = env(name)) {
          out += *found;
        } else {
          unset->push_back(name);
        }
        i = end + 1;
        continue;
      }
    }
    out += value[i++];
  }
  return out;
}

class EntryReader {
 public:
  EntryReader(const std::string& where, const EnvLookup& env, std::vector<std::string>& problems)
      : where_(where), env_(env), problems_(problems) {}

  // Sets `field` of `message` from `node`; false (a problem recorded) when it does not fit.
  bool Set(gp::Message* message, const FieldDescriptor* f, const YAML::Node& node,
           const std::string& path, DesiredCheck* entry) {
    const auto* r = message->GetReflection();
    if (f->is_map()) {
      if (!node.IsMap()) return Problem(path + " must be a map of names to values");
      const auto* key_field = f->message_type()->map_key();
      const auto* value_field = f->message_type()->map_value();
      for (const auto& item : node) {
        gp::Message* map_entry = r->AddMessage(message, f);
        if (!SetScalar(map_entry, key_field, item.first, path + " key", nullptr) ||
            !Set(map_entry, value_field, item.second, path + "." + item.first.as<std::string>(""),
                 nullptr)) {
          return false;
        }
      }
      return true;
    }
    if (f->is_repeated()) {
      if (!node.IsSequence()) return Problem(path + " must be a list");
      for (size_t i = 0; i < node.size(); ++i) {
        const std::string item_path = path + "[" + std::to_string(i) + "]";
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          if (!SetMessage(r->AddMessage(message, f), node[i], item_path)) return false;
        } else if (!AddScalar(message, f, node[i], item_path)) {
          return false;
        }
      }
      return true;
    }
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return SetMessage(r->MutableMessage(message, f), node, path);
    }
    return SetScalar(message, f, node, path, entry);
  }

 private:
  bool Problem(const std::string& what) {
    problems_.push_back(where_ + ": " + what);
    return false;
  }

  bool SetMessage(gp::Message* message, const YAML::Node& node, const std::string& path) {
    if (!node.IsMap()) return Problem(path + " must be a map of fields");
    bool ok = true;
    for (const auto& item : node) {
      const std::string key = item.first.as<std::string>("");
      const auto* f = message->GetDescriptor()->FindFieldByName(key);
      if (!f) {
        ok = Problem(path + ": unknown field " + checks::Quote(key)) && ok;
        continue;
      }
      ok = Set(message, f, item.second, path + "." + key, nullptr) && ok;
    }
    return ok;
  }

  // The scalar text of `node` with ${VAR} expanded, or nullopt (a problem recorded).
  std::optional<std::string> Text(const FieldDescriptor* f, const YAML::Node& node,
                                  const std::string& path, DesiredCheck* entry) {
    if (!node.IsScalar()) {
      Problem(path + " must be a single value");
      return std::nullopt;
    }
    std::vector<std::string> unset;
    std::string text = Expand(node.Scalar(), env_, &unset);
    if (unset.empty()) return text;
    if (entry && IsSecretField(f->name()) && unset.size() == 1 &&
        node.Scalar() == "${" + unset[0] + "}") {
      entry->unset_secrets[f->name()] = unset[0];
      return std::string();
    }
    Problem(path + ": ${" + unset[0] + "} is not set in the environment");
    return std::nullopt;
  }

  template <typename Int>
  std::optional<Int> Number(const std::string& text, const std::string& path) {
    Int value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
      Problem(path + " must be a whole number, got " + checks::Quote(text));
      return std::nullopt;
    }
    return value;
  }

  std::optional<bool> Bool(const std::string& text, const std::string& path) {
    if (text == "true") return true;
    if (text == "false") return false;
    Problem(path + " must be true or false, got " + checks::Quote(text));
    return std::nullopt;
  }

  const gp::EnumValueDescriptor* Enum(const FieldDescriptor* f, const std::string& text,
                                      const std::string& path) {
    std::string choices;
    for (int i = 0; i < f->enum_type()->value_count(); ++i) {
      const auto* value = f->enum_type()->value(i);
      if (EnumShortName(value) == text || value->name() == text) return value;
      choices += (i ? ", " : "") + EnumShortName(value);
    }
    Problem(path + " must be one of " + choices + ", got " + checks::Quote(text));
    return nullptr;
  }

  bool SetScalar(gp::Message* m, const FieldDescriptor* f, const YAML::Node& node,
                 const std::string& path, DesiredCheck* entry) {
    const auto text = Text(f, node, path, entry);
    if (!text) return false;
    const auto* r = m->GetReflection();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        r->SetString(m, f, *text);
        return true;
      case FieldDescriptor::CPPTYPE_INT32:
        if (auto v = Number<int32_t>(*text, path)) return r->SetInt32(m, f, *v), true;
        return false;
      case FieldDescriptor::CPPTYPE_INT64:
        if (auto v = Number<int64_t>(*text, path)) return r->SetInt64(m, f, *v), true;
        return false;
      case FieldDescriptor::CPPTYPE_UINT32:
        if (auto v = Number<uint32_t>(*text, path)) return r->SetUInt32(m, f, *v), true;
        return false;
      case FieldDescriptor::CPPTYPE_UINT64:
        if (auto v = Number<uint64_t>(*text, path)) return r->SetUInt64(m, f, *v), true;
        return false;
      case FieldDescriptor::CPPTYPE_BOOL:
        if (auto v = Bool(*text, path)) return r->SetBool(m, f, *v), true;
        return false;
      case FieldDescriptor::CPPTYPE_ENUM:
        if (const auto* v = Enum(f, *text, path)) return r->SetEnum(m, f, v), true;
        return false;
      default:
        return Problem(path + " cannot be set from a checks file");
    }
  }

  bool AddScalar(gp::Message* m, const FieldDescriptor* f, const YAML::Node& node,
                 const std::string& path) {
    const auto text = Text(f, node, path, nullptr);
    if (!text) return false;
    const auto* r = m->GetReflection();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        r->AddString(m, f, *text);
        return true;
      case FieldDescriptor::CPPTYPE_INT32:
        if (auto v = Number<int32_t>(*text, path)) return r->AddInt32(m, f, *v), true;
        return false;
      case FieldDescriptor::CPPTYPE_INT64:
        if (auto v = Number<int64_t>(*text, path)) return r->AddInt64(m, f, *v), true;
        return false;
      case FieldDescriptor::CPPTYPE_BOOL:
        if (auto v = Bool(*text, path)) return r->AddBool(m, f, *v), true;
        return false;
      case FieldDescriptor::CPPTYPE_ENUM:
        if (const auto* v = Enum(f, *text, path)) return r->AddEnum(m, f, v), true;
        return false;
      default:
        return Problem(path + " cannot be set from a checks file");
    }
  }

  const std::string& where_;
  const EnvLookup& env_;
  std::vector<std::string>& problems_;
};

// The options lib/checks validates, from the fields it knows; the server validates the rest.
checks::CheckOptions DomainOptions(const pb::CreateOpts& o) {
  checks::CheckOptions options;
  options.url = o.url();
  options.webhook_url = o.webhook_url();
  options.playbook_url = o.playbook_url();
  options.every_seconds = o.every();
  options.timeout_ms = o.timeout_ms();
  options.expected_status = o.expected_status();
  options.failure_threshold = o.failure_threshold();
  options.recovery_threshold = o.recovery_threshold();
  options.notify_failure_kind_change =
      !o.has_notify_failure_kind_change() || o.notify_failure_kind_change();
  options.webhook_format = static_cast<checks::WebhookFormat>(o.webhook_format());
  options.webhook_secret = o.webhook_secret();
  checks::ApplyDefaults(options);
  return options;
}

// A field's value in the file's shape: maps as YAML maps (sorted), lists as lists, nested
// messages as maps of their set fields, scalars as text.
void EmitValue(YAML::Emitter& out, const gp::Message& m, const FieldDescriptor* f) {
  const auto* r = m.GetReflection();
  if (f->is_map()) {
    std::vector<std::pair<std::string, std::string>> items;
    for (int i = 0; i < r->FieldSize(m, f); ++i) {
      const auto& item = r->GetRepeatedMessage(m, f, i);
      items.emplace_back(ScalarText(item, f->message_type()->map_key(), 0),
                         ScalarText(item, f->message_type()->map_value(), 0));
    }
    std::sort(items.begin(), items.end());
    out << YAML::BeginMap;
    for (const auto& [key, value] : items) out << YAML::Key << key << YAML::Value << value;
    out << YAML::EndMap;
    return;
  }
  const auto one = [&](int index) {
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      out << ScalarText(m, f, index);
      return;
    }
    const gp::Message& sub =
        f->is_repeated() ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f);
    out << YAML::BeginMap;
    // A request header's value is never returned: the file names a variable holding it,
    // ${HEADER_<NAME>}, as it does for webhook secrets.
    const auto* fingerprint = sub.GetDescriptor()->FindFieldByName("value_fingerprint");
    for (int i = 0; i < sub.GetDescriptor()->field_count(); ++i) {
      const auto* sf = sub.GetDescriptor()->field(i);
      if (fingerprint && sf == fingerprint) {
        const auto* name = sub.GetDescriptor()->FindFieldByName("name");
        out << YAML::Key << "value" << YAML::Value
            << "${" + SecretVariable("header", sub.GetReflection()->GetString(sub, name)) + "}";
        continue;
      }
      const bool set = sf->is_repeated() ? sub.GetReflection()->FieldSize(sub, sf) > 0
                                         : sub.GetReflection()->HasField(sub, sf);
      if (!set || (fingerprint && sf->name() == "value")) continue;
      out << YAML::Key << sf->name() << YAML::Value;
      EmitValue(out, sub, sf);
    }
    out << YAML::EndMap;
  };
  if (!f->is_repeated()) {
    one(0);
    return;
  }
  out << YAML::BeginSeq;
  for (int i = 0; i < r->FieldSize(m, f); ++i) one(i);
  out << YAML::EndSeq;
}

std::string Describe(bool by_name, const std::string& key) {
  return std::string(by_name ? "name " : "url ") + checks::Quote(key);
}

}  // namespace

bool ChecksHaveNames() {
  const auto* f = pb::Check::descriptor()->FindFieldByName("name");
  return f && f->cpp_type() == FieldDescriptor::CPPTYPE_STRING &&
         pb::CreateOpts::descriptor()->FindFieldByName("name");
}

std::vector<std::string> ManagedFields() {
  std::vector<std::string> fields;
  const auto* opts = pb::CreateOpts::descriptor();
  for (int i = 0; i < opts->field_count(); ++i) {
    if (pb::Check::descriptor()->FindFieldByName(opts->field(i)->name())) {
      fields.push_back(opts->field(i)->name());
    }
  }
  return fields;
}

bool IsSecretField(const std::string& field) {
  return pb::Check::descriptor()->FindFieldByName(field + "_fingerprint") != nullptr;
}

std::string CanonicalValue(const gp::Message& message, const std::string& field) {
  const auto* d = message.GetDescriptor();
  const auto* r = message.GetReflection();
  if (IsSecretField(field)) {
    if (const auto* fingerprint = d->FindFieldByName(field + "_fingerprint")) {
      return r->GetString(message, fingerprint);
    }
    return auth::SecretFingerprint(r->GetString(message, d->FindFieldByName(field)));
  }
  const auto* f = d->FindFieldByName(field);
  if (!f) return "";
  std::string text;
  if (f->is_map()) {
    std::vector<std::string> items;
    for (int i = 0; i < r->FieldSize(message, f); ++i) {
      const gp::Message& item = r->GetRepeatedMessage(message, f, i);
      items.push_back(ScalarText(item, f->message_type()->map_key(), 0) + "=" +
                      ScalarText(item, f->message_type()->map_value(), 0));
    }
    std::sort(items.begin(), items.end());
    for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
    return text;
  }
  if (f->is_repeated()) {
    for (int i = 0; i < r->FieldSize(message, f); ++i) {
      text += (i ? ", " : "") + ScalarText(message, f, i);
    }
    return text;
  }
  const auto defaults = NonZeroDefaults().find(field);
  // Proto3 scalars without presence "have" a value exactly when it is not zero.
  const bool unset = !r->HasField(message, f);
  if (unset && defaults != NonZeroDefaults().end()) return defaults->second;
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !r->HasField(message, f)) return "";
  return ScalarText(message, f, 0);
}

bool KeyedByName(const pb::Check& check) {
  if (!ChecksHaveNames()) return false;
  const auto* f = pb::Check::descriptor()->FindFieldByName("name");
  return !check.GetReflection()->GetString(check, f).empty();
}

std::string KeyOf(const pb::Check& check) {
  if (KeyedByName(check)) {
    return check.GetReflection()->GetString(check,
                                            pb::Check::descriptor()->FindFieldByName("name"));
  }
  return check.url();
}

std::string SecretVariable(const std::string& field, const std::string& key) {
  std::string text = key;
  if (const auto scheme = text.find("://"); scheme != std::string::npos) {
    text = text.substr(scheme + 3);
  }
  std::string name;
  for (char c : field + "_" + text) {
    const bool alnum = std::isalnum(static_cast<unsigned char>(c));
    if (alnum) {
      name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (!name.empty() && name.back() != '_') {
      name += '_';
    }
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  return name.substr(0, 80);
}

void CopyField(const pb::CreateOpts& from, const std::string& field, pb::Check* to) {
  const auto* ff = from.GetDescriptor()->FindFieldByName(field);
  const auto* tf = to->GetDescriptor()->FindFieldByName(field);
  if (!ff || !tf) return;
  // Same name, same shape: through the text form keeps it independent of message types
  // (CreateOpts.LabelsEntry and Check.LabelsEntry are distinct types).
  const auto* r = to->GetReflection();
  r->ClearField(to, tf);
  const auto* fr = from.GetReflection();
  if (tf->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    // Map entries and nested options: the two messages' types are distinct (CreateOpts.LabelsEntry,
    // Check.LabelsEntry) but their fields are numbered alike, so the wire form carries over.
    const int count =
        tf->is_repeated() ? fr->FieldSize(from, ff) : (fr->HasField(from, ff) ? 1 : 0);
    for (int i = 0; i < count; ++i) {
      const gp::Message& item =
          tf->is_repeated() ? fr->GetRepeatedMessage(from, ff, i) : fr->GetMessage(from, ff);
      gp::Message* target = tf->is_repeated() ? r->AddMessage(to, tf) : r->MutableMessage(to, tf);
      target->ParseFromString(item.SerializeAsString());
    }
    return;
  }
  if (tf->is_repeated()) {
    for (int i = 0; i < fr->FieldSize(from, ff); ++i) {
      switch (tf->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING:
          r->AddString(to, tf, fr->GetRepeatedString(from, ff, i));
          break;
        case FieldDescriptor::CPPTYPE_INT32:
          r->AddInt32(to, tf, fr->GetRepeatedInt32(from, ff, i));
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          r->AddInt64(to, tf, fr->GetRepeatedInt64(from, ff, i));
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          r->AddBool(to, tf, fr->GetRepeatedBool(from, ff, i));
          break;
        case FieldDescriptor::CPPTYPE_ENUM:
          r->AddEnumValue(to, tf, fr->GetRepeatedEnumValue(from, ff, i));
          break;
        default:
          break;
      }
    }
    return;
  }
  switch (tf->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      r->SetString(to, tf, fr->GetString(from, ff));
      break;
    case FieldDescriptor::CPPTYPE_INT32:
      r->SetInt32(to, tf, fr->GetInt32(from, ff));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      r->SetInt64(to, tf, fr->GetInt64(from, ff));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      r->SetUInt32(to, tf, fr->GetUInt32(from, ff));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      r->SetUInt64(to, tf, fr->GetUInt64(from, ff));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      if (!ff->has_presence() || fr->HasField(from, ff)) r->SetBool(to, tf, fr->GetBool(from, ff));
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      r->SetEnumValue(to, tf, fr->GetEnumValue(from, ff));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      r->SetDouble(to, tf, fr->GetDouble(from, ff));
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      r->SetFloat(to, tf, fr->GetFloat(from, ff));
      break;
    default:
      break;
  }
}

std::vector<DesiredCheck> ParseCheckFile(const std::string& text, const std::string& file_name,
                                         const EnvLookup& env, const CheckFileLimits& limits) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw CheckFileError(file_name + ":" + std::to_string(e.mark.line + 1) + ":" +
                         std::to_string(e.mark.column + 1) + ": not YAML: " + e.msg);
  }
  if (!root.IsMap() || !root["checks"]) {
    throw CheckFileError(file_name + ": the top level must be a map with a `checks:` list");
  }
  for (const auto& item : root) {
    if (item.first.as<std::string>("") != "checks") {
      throw CheckFileError(file_name + ": unknown top-level key " +
                           checks::Quote(item.first.as<std::string>("")) + " (only `checks:`)");
    }
  }
  const YAML::Node list = root["checks"];
  if (!list.IsSequence() && !list.IsNull()) {
    throw CheckFileError(file_name + ": `checks:` must be a list of checks");
  }
  std::vector<std::string> problems;
  std::vector<DesiredCheck> desired;
  std::map<std::string, int> seen;
  const bool names = ChecksHaveNames();
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node node = list[i];
    DesiredCheck entry;
    entry.index = static_cast<int>(i);
    const std::string position = file_name + ": checks[" + std::to_string(i) + "]";
    if (!node.IsMap()) {
      problems.push_back(position + ": must be a map of check fields");
      continue;
    }
    const std::string name =
        names && node["name"] && node["name"].IsScalar() ? node["name"].Scalar() : std::string();
    const std::string url =
        node["url"] && node["url"].IsScalar() ? node["url"].Scalar() : std::string();
    entry.keyed_by_name = !name.empty();
    entry.key = entry.keyed_by_name ? name : url;
    entry.where =
        position + (entry.key.empty() ? "" : " (" + Describe(entry.keyed_by_name, entry.key) + ")");
    EntryReader reader(entry.where, env, problems);
    bool ok = true;
    for (const auto& item : node) {
      const std::string key = item.first.as<std::string>("");
      const auto* f = pb::CreateOpts::descriptor()->FindFieldByName(key);
      if (!f || !pb::Check::descriptor()->FindFieldByName(key)) {
        const bool read_only = pb::Check::descriptor()->FindFieldByName(key) && IsReadOnly(key);
        std::string known;
        for (const auto& field : ManagedFields()) known += (known.empty() ? "" : ", ") + field;
        problems.push_back(
            entry.where + ": " +
            (read_only ? key + " is set by the server, not by a checks file"
                       : "unknown field " + checks::Quote(key) + " (fields: " + known + ")"));
        ok = false;
        continue;
      }
      ok = reader.Set(&entry.options, f, item.second, key, &entry) && ok;
    }
    if (!ok) continue;
    if (entry.options.url().empty()) {
      problems.push_back(entry.where + ": url is required");
      continue;
    }
    checks::ValidationLimits validation;
    validation.min_every_seconds = limits.min_every_seconds;
    auto options = DomainOptions(entry.options);
    if (!entry.unset_secrets.empty()) options.webhook_secret.clear();
    if (const auto problem = checks::Validate(options, validation)) {
      problems.push_back(entry.where + ": " + *problem);
      continue;
    }
    const std::string identity = (entry.keyed_by_name ? "name\n" : "url\n") + entry.key;
    if (const auto [it, fresh] = seen.emplace(identity, entry.index); !fresh) {
      problems.push_back(entry.where + ": the same " +
                         (entry.keyed_by_name ? std::string("name") : std::string("url")) +
                         " as checks[" + std::to_string(it->second) + "]");
      continue;
    }
    desired.push_back(std::move(entry));
  }
  if (!problems.empty()) {
    std::string message;
    for (const auto& problem : problems) message += (message.empty() ? "" : "\n") + problem;
    throw CheckFileError(message);
  }
  return desired;
}

std::string ExportCheckFile(std::vector<pb::Check> checks) {
  std::sort(checks.begin(), checks.end(),
            [](const pb::Check& a, const pb::Check& b) { return KeyOf(a) < KeyOf(b); });
  const pb::CreateOpts defaults;
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "checks" << YAML::Value << YAML::BeginSeq;
  for (const auto& check : checks) {
    out << YAML::BeginMap;
    std::vector<std::string> fields = ManagedFields();
    // The identity first: name (when there is one), then url.
    std::stable_partition(fields.begin(), fields.end(),
                          [](const std::string& f) { return f == "name" || f == "url"; });
    for (const auto& field : fields) {
      const auto* f = pb::Check::descriptor()->FindFieldByName(field);
      const std::string value = CanonicalValue(check, field);
      if (field != "url" && value == CanonicalValue(defaults, field)) continue;
      out << YAML::Key << field << YAML::Value;
      if (IsSecretField(field)) {
        out << "${" + SecretVariable(field, KeyOf(check)) + "}";
      } else {
        EmitValue(out, check, f);
      }
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

Selector Selector::Parse(const std::string& text) {
  Selector selector;
  if (text.empty()) return selector;
  if (!pb::Check::descriptor()->FindFieldByName("labels")) {
    throw std::invalid_argument(
        "--selector needs check labels, which this lokahid's API does not have yet");
  }
  std::stringstream in(text);
  for (std::string term; std::getline(in, term, ',');) {
    const auto eq = term.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw std::invalid_argument("--selector takes key=value[,key=value…], got " +
                                  checks::Quote(text));
    }
    selector.labels_[term.substr(0, eq)] = term.substr(eq + 1);
  }
  return selector;
}

bool Selector::Matches(const pb::Check& check) const {
  if (labels_.empty()) return true;
  const auto* f = pb::Check::descriptor()->FindFieldByName("labels");
  if (!f || !f->is_map()) return false;
  std::map<std::string, std::string> labels;
  const auto* r = check.GetReflection();
  for (int i = 0; i < r->FieldSize(check, f); ++i) {
    const auto& item = r->GetRepeatedMessage(check, f, i);
    labels[ScalarText(item, f->message_type()->map_key(), 0)] =
        ScalarText(item, f->message_type()->map_value(), 0);
  }
  for (const auto& [key, value] : labels_) {
    const auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

}  // namespace lokahi::lokahictl
