#include "receivers/core/notification.h"

#include "receivers/core/alert_words.h"

namespace lokahi::receivers {

NotificationIds IdsOf(const Notification& notification) {
  if (const auto* alert = std::get_if<github::xe::lokahi::AlertStatus>(&notification)) {
    return {"alert", AlertName(alert->alert()), "notification_id", alert->notification_id()};
  }
  const auto& check = std::get<github::xe::lokahi::CheckStatus>(notification);
  return {"check_id", check.check().id(), "transition_id", check.transition_id()};
}

}  // namespace lokahi::receivers
