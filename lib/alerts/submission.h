#pragma once
// One submitted alert as it arrives (purple's fields, all text), validated and resolved against
// the receiving daemon's clock. Messages name the field and say what is allowed, so the API returns
// them as INVALID_ARGUMENT unchanged (prefixed with the item's index for a batch).

#include <cstddef>
#include <optional>
#include <string>
#include <variant>

#include "lib/alerts/alert.h"
#include "lib/alerts/raise_spec.h"

namespace lokahi::alerts {

inline constexpr size_t kMaxIdChars = 200;
inline constexpr size_t kMaxSourceChars = 200;
inline constexpr size_t kMaxSubjectBytes = 512;
inline constexpr size_t kMaxDetailBytes = 8192;
inline constexpr size_t kMaxBatch = 10000;

struct Submission {
  AlertKey key;  // key.source empty: the submitter's address (set by the caller before Resolve)
  std::string subject;
  std::string detail;
  std::string raise;
  Importance importance = Importance::kNormal;
  std::string webhook_url;                              // empty: keep the alert's (or the default)
  std::optional<checks::WebhookFormat> webhook_format;  // unset: keep the alert's (JSON if new)
  std::string suppress_until;                           // empty: keep the alert's
};

struct ResolvedSubmission {
  AlertKey key;
  std::string subject;
  std::string detail;
  RaiseSpec raise;
  Importance importance = Importance::kNormal;
  std::string webhook_url;
  std::optional<checks::WebhookFormat> webhook_format;
  std::optional<Timestamp> suppress_until;
};

struct FieldError {
  std::string field;    // "id", "raise", ...
  std::string message;  // starts with the field's name: "raise must be now, clear, ..."
};

// The first problem found, or the submission resolved (relative times against `now`).
std::variant<ResolvedSubmission, FieldError> Resolve(const Submission& submission, Timestamp now);

// Whether `text` is 1..max_chars printable characters (valid UTF-8, no control characters); on
// failure `why` says what is wrong, meant to follow the field's name.
bool IsPrintableName(std::string_view text, size_t max_chars, std::string* why);

}  // namespace lokahi::alerts
