#pragma once
// The words of a grouped chat message, shared by the Discord and Slack formats: when several
// notifications arrive within a relay's grouping window they become one message that counts them by
// kind and shows the first few, so a storm of 10,000 alerts is a handful of posts.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "receivers/core/notification.h"

namespace lokahi::receivers {

// How many notifications a grouped message shows in full; the rest are counted.
inline constexpr std::size_t kGroupShownFirst = 5;

// One kind of notification and how many of the group are of it, e.g. {"🔴 DOWN", 8}.
struct GroupTally {
  std::string label;
  std::size_t count = 0;
};

// The group's kinds, most urgent first (checks DOWN, alerts raised, checks ERROR, reminders,
// acknowledgements, checks UP, recoveries, clears), each counted once.
std::vector<GroupTally> TallyGroup(std::span<const Notification> group);

// "12 notifications: 8 🔴 DOWN, 3 🟢 UP, 1 🟠 ERROR" (the count first, so a reader sees the size
// of a storm at a glance).
std::string GroupHeadline(std::span<const Notification> group);

// "…and 7 more" for a group larger than kGroupShownFirst; "" otherwise.
std::string GroupRemainder(std::span<const Notification> group);

}  // namespace lokahi::receivers
