#pragma once
// Where checks live. Implementations are thread-safe.

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "lib/checks/check.h"

namespace lokahi::store {

struct ChecksPage {
  std::vector<checks::Check> checks;
  // Exact up to kExactTotalUpTo checks; above that an estimate, so a page stays cheap.
  long long total = 0;
  // Fewer checks than asked for because they would have passed kMaxListPageBytes; more follow.
  bool cut_short = false;
};

// A List page's checks stay under this many bytes as sent (their URLs mostly), so a page of large
// checks (URLs up to 8 KB each) still fits a client's 4 MB default message limit with room to
// spare. Each page holds at least one check.
inline constexpr size_t kMaxListPageBytes = 1 << 20;
// What one check adds to a page besides its strings: numbers, timestamps, field tags.
inline constexpr size_t kListRowOverheadBytes = 128;
inline size_t ListedBytes(const checks::Check& check) {
  const auto& o = check.options;
  size_t bytes = kListRowOverheadBytes + check.id.size() + o.url.size() + o.webhook_url.size() +
                 o.playbook_url.size() + o.name.size();
  for (const auto& [key, value] : o.labels) bytes += 4 + key.size() + value.size();
  // Header values are not returned; their fingerprints are.
  for (const auto& header : o.request.headers) bytes += 32 + header.name.size();
  bytes += o.request.method.size() + o.request.body.size();
  return bytes;
}

inline constexpr long long kExactTotalUpTo = 10000;

// List's orders, each with an index that yields a page in that order at any number of checks.
enum class ListOrder {
  kCreated,            // creation time, then id (List's own)
  kName,               // name, then id
  kStateFailingFirst,  // ERROR, DOWN, UP, INIT; within a state, newest first
  kSinceNewest,        // the latest change of state first (never changed: last), then id
};

// What List keeps; every field set must hold. Validated by the caller.
struct ListFilter {
  std::optional<checks::State> state;
  std::string selector_json;     // labels::Selector::ToJson(); empty: any labels
  std::string labels_contained;  // JSON object of the selector's `key=value` pairs (GIN), or ""
  std::string search;            // case-insensitive substring of name or URL; empty: any
  ListOrder order = ListOrder::kCreated;

  bool empty() const {
    return !state && selector_json.empty() && search.empty() && order == ListOrder::kCreated;
  }
};

// Create or Modify would give a check a name another check has; nothing was written.
class NameTaken : public std::runtime_error {
 public:
  explicit NameTaken(const std::string& name) : std::runtime_error("name taken"), name_(name) {}
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// A position in one of List's orders: the page continues after it. `order` says which keys
// hold: always id and created_unix_us; name for kName, state for kStateFailingFirst,
// since_unix_us (0 for never changed) for kSinceNewest.
struct ListCursor {
  long long created_unix_us = 0;
  std::string id;
  ListOrder order = ListOrder::kCreated;
  std::string name;
  int state = 0;
  long long since_unix_us = 0;
};

struct ModifyOutcome {
  bool found = false;
  std::optional<std::string> refused;  // what `edit` said; nothing was written
  std::optional<checks::Check> check;  // as stored, when found and not refused
};

class CheckStore {
 public:
  virtual ~CheckStore() = default;
  // Options must be validated, defaults applied. Create and Modify throw NameTaken when another
  // check has the name.
  virtual checks::Check Create(const checks::CheckOptions& options) = 0;
  virtual std::optional<checks::Check> Get(const checks::CheckId& id) = 0;
  // In creation order (then id): stable across calls while checks are added. With `after`, the
  // checks that follow it, skipping `offset` more. At most `count` checks, fewer (cut_short) when
  // `count` of them would pass kMaxListPageBytes.
  // Only checks passing `filter`, in the same order and paging; the total still counts every
  // check stored (counting matches would cost more than the page).
  virtual ChecksPage List(int count, int offset, const std::optional<ListCursor>& after,
                          const ListFilter& filter = {}) = 0;
  // Read-modify-write of one check's options under its row lock, so two concurrent edits of
  // different fields both land (neither overwrites the other with what it read). `edit` changes
  // the options in place, or returns why it refuses them (nothing is written then). Options
  // equal to the stored ones change nothing, version and updated_at included.
  using OptionsEdit = std::function<std::optional<std::string>(checks::CheckOptions&)>;
  virtual ModifyOutcome Modify(const checks::CheckId& id, const OptionsEdit& edit) = 0;
  // Removes the check, its state, results index entries and pending deliveries; returns what was
  // deleted, or nullopt when the id does not exist.
  virtual std::optional<checks::Check> Delete(const checks::CheckId& id) = 0;
};

}  // namespace lokahi::store
