#include "lib/alerts/submission.h"

#include "lib/checks/quote.h"
#include "lib/url/url.h"

namespace lokahi::alerts {
namespace {

// Length of the UTF-8 sequence starting with `lead`, 0 when `lead` cannot start one.
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

// Valid UTF-8 without NUL: what Postgres text holds.
bool IsText(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const size_t length = SequenceLength(lead);
    if (lead == 0 || length == 0 || i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

FieldError Problem(std::string field, std::string message) {
  return FieldError{field, field + " " + std::move(message)};
}

}  // namespace

bool IsPrintableName(std::string_view text, size_t max_chars, std::string* why) {
  auto fail = [&](std::string message) {
    if (why) *why = std::move(message);
    return false;
  };
  const std::string allowed = "must be 1 to " + std::to_string(max_chars) + " printable characters";
  if (text.empty()) return fail("is required: it " + allowed);
  size_t chars = 0;
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const size_t length = SequenceLength(lead);
    if (length == 0 || i + length > text.size()) return fail(allowed + " of valid UTF-8");
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) {
        return fail(allowed + " of valid UTF-8");
      }
    }
    if (length == 1 && (lead < 0x20 || lead == 0x7f)) {
      return fail(allowed + ", got a control character at byte " + std::to_string(i));
    }
    // C1 controls (U+0080..U+009F) are not printable either.
    if (length == 2 && lead == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0) {
      return fail(allowed + ", got a control character at byte " + std::to_string(i));
    }
    i += length;
    if (++chars > max_chars) return fail(allowed + ", got more");
  }
  return true;
}

std::variant<ResolvedSubmission, FieldError> Resolve(const Submission& submission, Timestamp now) {
  std::string why;
  if (!IsPrintableName(submission.key.id, kMaxIdChars, &why)) return Problem("id", why);
  if (!IsPrintableName(submission.key.source, kMaxSourceChars, &why)) {
    return Problem("source", why);
  }
  if (submission.subject.size() > kMaxSubjectBytes) {
    return Problem("subject", "must be at most " + std::to_string(kMaxSubjectBytes) +
                                  " bytes, got " + std::to_string(submission.subject.size()));
  }
  if (submission.detail.size() > kMaxDetailBytes) {
    return Problem("detail", "must be at most " + std::to_string(kMaxDetailBytes) + " bytes, got " +
                                 std::to_string(submission.detail.size()));
  }
  for (const auto& [field, text] :
       {std::pair<const char*, const std::string&>{"subject", submission.subject},
        {"detail", submission.detail}}) {
    if (!IsText(text)) return Problem(field, "must be UTF-8 text without NUL characters");
  }
  ResolvedSubmission resolved;
  auto raise = ParseRaise(submission.raise, now, &why);
  if (!raise) {
    return Problem(
        "raise", submission.raise.empty() ? why : why + ", got " + checks::Quote(submission.raise));
  }
  resolved.raise = *raise;
  if (!submission.webhook_url.empty()) {
    if (!url::Url::Parse(submission.webhook_url, &why)) {
      return Problem("webhook_url", why + ": " + checks::Quote(submission.webhook_url));
    }
  }
  if (!submission.suppress_until.empty()) {
    const auto until = ParseWhen(submission.suppress_until, now, &why);
    if (!until) {
      return Problem("suppress_until", why + ", got " + checks::Quote(submission.suppress_until));
    }
    resolved.suppress_until = *until;
  }
  resolved.key = submission.key;
  resolved.subject = submission.subject;
  resolved.detail = submission.detail;
  resolved.importance = submission.importance;
  resolved.webhook_url = submission.webhook_url;
  resolved.webhook_format = submission.webhook_format;
  return resolved;
}

}  // namespace lokahi::alerts
