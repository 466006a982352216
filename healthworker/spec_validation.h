#pragma once
// Validation of the check specs healthworkers receive over NATS. NATS is a trust boundary
// (anyone who can publish on check.run reaches this code), so a spec is checked where it is
// decoded, before it is probed or becomes a row Postgres would refuse.

#include <optional>
#include <string>

#include "internal.pb.h"
#include "lib/checks/check.h"

namespace lokahi::healthworker {

// Largest payload decoded from check.run or check.run.now; NATS's default maximum is 1 MiB.
inline constexpr size_t kMaxRunPayloadBytes = 8 * 1024 * 1024;

// Returns what is wrong with `spec` in words an operator can act on, or nullopt when it can be
// probed and recorded. `scheduled` specs (check.run) also need a slot (due_unix_ms).
std::optional<std::string> InvalidSpec(const lokahi::internal::CheckSpec& spec, bool scheduled);

// A spec's request fields (20-39) in domain terms; InvalidSpec checks them with the rules
// lokahid applied (lib/checks InvalidRequest).
checks::RequestOptions RequestOf(const lokahi::internal::CheckSpec& spec);
// Whether the spec asks anything but lokahi's plain GET.
bool HasRequestOptions(const lokahi::internal::CheckSpec& spec);

}  // namespace lokahi::healthworker
