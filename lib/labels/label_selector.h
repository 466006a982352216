#pragma once
// Label selectors, as Kubernetes spells them: `team=payments,env!=dev`. Shared by List's filter
// and maintenance windows. Pure logic: parsing with errors a user can act on, matching a check's
// labels, and the JSON form the store hands to SQL (lokahi_labels_match, migration 130).

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lokahi::labels {

// A check's labels: key -> value (values may be empty).
using Labels = std::map<std::string, std::string>;

struct Requirement {
  enum class Op { kEquals, kNotEquals, kExists, kNotExists };
  std::string key;
  Op op = Op::kEquals;
  std::string value;  // kEquals / kNotEquals only

  bool operator==(const Requirement&) const = default;
};

// Every requirement must hold. `key!=value` also holds when the key is absent.
struct Selector {
  std::vector<Requirement> requirements;

  bool empty() const { return requirements.empty(); }
  bool Matches(const Labels& labels) const;
  // Canonical text (`env!=dev,team=payments` as given, normalised spacing): what List and
  // maintenance windows echo back.
  std::string ToString() const;
  // [{"key":"team","op":"=","value":"payments"}, ...]: the form SQL evaluates.
  std::string ToJson() const;
  // {"team":"payments"}: the `key=value` requirements as one JSON object, which an index on
  // labels (jsonb @>) can find; "" when there are none.
  std::string EqualsJson() const;
};

inline constexpr size_t kMaxSelectorBytes = 4096;
inline constexpr size_t kMaxRequirements = 32;
inline constexpr size_t kMaxKeyLength = 63;
inline constexpr size_t kMaxValueLength = 63;

// Requirements separated by commas: `key=value` (or `key==value`), `key!=value`, `key` (has the
// label), `!key` (has not). Keys are [A-Za-z0-9._/-]{1,63}, values [A-Za-z0-9._-]{0,63}, as
// check labels allow; spaces around the parts are ignored. On a mistake returns nullopt and sets
// `error` to a message naming the bad part (`selector: "te am=x": a key is ...`).
std::optional<Selector> ParseSelector(std::string_view text, std::string* error);

bool IsValidKey(std::string_view key);
bool IsValidValue(std::string_view value);

}  // namespace lokahi::labels
