#include "lib/store/pg_vantage_events.h"

#include <pqxx/pqxx>

namespace lokahi::store {

void PgVantageEvents::Record(const VantageEvent& event,
                             const std::optional<OutgoingNotification>& notice) {
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  txn.exec_params(
      "INSERT INTO vantage_events (worker, location, kind, reason) VALUES ($1, $2, $3, $4)",
      event.worker.substr(0, 256), event.location.substr(0, 64), static_cast<int>(event.kind),
      event.reason.substr(0, 1024));
  if (notice) EnqueueNotifications(txn, {*notice});
  txn.commit();
}

}  // namespace lokahi::store
