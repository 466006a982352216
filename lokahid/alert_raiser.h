#pragma once
// The push alerts' side of the active scheduler: on the lokahid holding the scheduler lease (the
// same advisory lock as for checks), every `period` it raises the alerts whose raise time has come,
// returns expired acknowledgements to RAISED and sends reminders (PgAlertStore::RunDue: each
// decided with its notification in one transaction), and once an hour removes alerts cleared
// longer ago than the retention and finished notifications as old. Replicas without the lease do
// nothing; if two ever overlap, row locks still let each alert be decided once.

#include <chrono>
#include <functional>

#include "lib/daemon/periodic_task.h"
#include "lib/logging/logger.h"
#include "lib/store/pg_alert_store.h"
#include "lib/store/pg_notifications.h"

namespace lokahi::lokahid {

struct AlertRaiserOptions {
  std::chrono::seconds repeat = std::chrono::hours(1);  // LOKAHI_ALERT_REPEAT; 0 = no reminders
  int retention_days = 30;                              // LOKAHI_ALERT_RETENTION_DAYS
  int batch = 1000;                                     // alerts decided per transaction
  std::chrono::milliseconds period{200};                // a due alert raises within ~period
};

class AlertRaiser {
 public:
  struct Collaborators {
    store::PgAlertStore& store;
    store::PgNotificationQueue& notifications;  // for pruning
    std::function<bool()> active;               // holds the scheduler lease
    std::function<void()> nudge;                // after a commit that queued notifications
    std::function<alerts::Timestamp()> clock;
  };
  // References must outlive the raiser; call Start to begin.
  AlertRaiser(Collaborators collaborators, AlertRaiserOptions options, logging::Logger& log);

  void Start();
  // No round starts after this; waits for one in progress.
  void Stop();

  // One round, whether or not active (tests call it directly). Returns alerts changed.
  int RunOnce();

 private:
  void Prune(alerts::Timestamp now);

  Collaborators c_;
  const AlertRaiserOptions options_;
  logging::Logger& log_;
  std::chrono::steady_clock::time_point next_prune_{};
  bool failing_ = false;  // the last round failed: log recovery once
  std::unique_ptr<daemon::PeriodicTask> task_;
};

}  // namespace lokahi::lokahid
