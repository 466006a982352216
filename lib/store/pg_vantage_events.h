#pragma once
// Healthworkers judging their own network path ("vantage") impaired and recovered: one row per
// change, and the operator's notice of it queued in the notifications outbox in the same
// transaction, so neither is lost to a crash.
//
// Thread-safety: Record may be called from any thread (each call takes its own connection).

#include <optional>
#include <string>

#include "lib/postgres/connection_pool.h"
#include "lib/store/pg_notifications.h"

namespace lokahi::store {

enum class VantageEventKind : int { kImpaired = 1, kRecovered = 2 };

struct VantageEvent {
  std::string worker;    // LOKAHI_INSTANCE of the healthworker
  std::string location;  // LOKAHI_LOCATION
  VantageEventKind kind = VantageEventKind::kImpaired;
  std::string reason;  // the judge's words, e.g. "canaries: 0 of 3 answered"
};

class PgVantageEvents final {
 public:
  explicit PgVantageEvents(postgres::ConnectionPool& pool) : pool_(pool) {}
  // Records `event` and queues `notice` (for the operator's webhook, when one is configured) in
  // one transaction. Throws on database failure, having written neither.
  void Record(const VantageEvent& event, const std::optional<OutgoingNotification>& notice);

 private:
  postgres::ConnectionPool& pool_;
};

}  // namespace lokahi::store
