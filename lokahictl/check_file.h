#pragma once
// Checks as code: the YAML file `lokahictl apply -f` reads and `lokahictl export` writes.
//
//   checks:
//     - url: https://api.example.com/health     # proto field names of Check / CreateOpts
//       webhook_url: https://hooks.example.com/lokahi
//       every: 30
//       webhook_secret: ${API_WEBHOOK_SECRET}   # ${VAR}: from the environment ($${ for "${")
//
// Each entry is a check, identified by its `name` when checks have names and the entry gives one,
// else by its `url`. Its keys are the writable fields of the API (those of CreateOpts, found by
// protobuf reflection, so options the API gains are read and written without a change here); a
// key left out means the option's default. Pure: no I/O.

#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "lokahi.pb.h"

namespace lokahi::lokahictl {

// Every problem found in a checks file, one per line, each naming the file, the entry and the
// field: `checks.yaml: checks[3] (name "api"): every must be between 10 and 86400 seconds, got 5`.
class CheckFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

struct DesiredCheck {
  int index = 0;               // position in `checks:`
  std::string where;           // `checks.yaml: checks[3] (name "api")`, for messages
  bool keyed_by_name = false;  // else by url
  std::string key;             // the name or the url
  github::xe::lokahi::CreateOpts options;
  // Secret fields whose ${VAR} is not set: the check keeps the secret it has (an error when the
  // check must be created). Lets an exported file round-trip without the secrets at hand.
  std::map<std::string, std::string> unset_secrets;  // field -> variable
};

struct CheckFileLimits {
  int min_every_seconds = 10;  // lokahid's default LOKAHI_MIN_EVERY
};

// Parses and validates the whole file; throws CheckFileError listing every problem, so a file
// with any invalid entry is refused before anything is sent.
std::vector<DesiredCheck> ParseCheckFile(const std::string& text, const std::string& file_name,
                                         const EnvLookup& env, const CheckFileLimits& limits = {});

// The file for `checks`, sorted by key; options at their default left out, secrets written as
// ${VAR} placeholders (SecretVariable) that apply expands.
std::string ExportCheckFile(std::vector<github::xe::lokahi::Check> checks);

// --- Shared with the plan -----------------------------------------------------------------------

// True when the API's checks have names (the field `name`): then entries with a name key on it.
bool ChecksHaveNames();
// The writable fields: those of CreateOpts that Check has too, in CreateOpts order.
std::vector<std::string> ManagedFields();
// Fields holding a secret: the API returns `<field>_fingerprint` instead of the value.
bool IsSecretField(const std::string& field);
// A field's value as compared and shown in a plan, defaults resolved: zero `every` and 60 read
// the same. Secrets give their fingerprint. `message` is a CreateOpts or a Check.
std::string CanonicalValue(const google::protobuf::Message& message, const std::string& field);
// The key of a check on the server, as an entry would name it.
std::string KeyOf(const github::xe::lokahi::Check& check);
bool KeyedByName(const github::xe::lokahi::Check& check);
// The environment variable export names for a secret field of the check with `key`:
// webhook_secret of "api" -> WEBHOOK_SECRET_API.
std::string SecretVariable(const std::string& field, const std::string& key);
// Copies `field` from a CreateOpts into a Check (same name, same shape), by reflection.
void CopyField(const github::xe::lokahi::CreateOpts& from, const std::string& field,
               github::xe::lokahi::Check* to);

// `--selector team=web,env=prod`: label equality, all must hold. Empty matches every check.
class Selector {
 public:
  // Throws std::invalid_argument for a malformed selector, or when checks have no labels.
  static Selector Parse(const std::string& text);
  bool Matches(const github::xe::lokahi::Check& check) const;
  bool empty() const { return labels_.empty(); }

 private:
  std::map<std::string, std::string> labels_;
};

}  // namespace lokahi::lokahictl
