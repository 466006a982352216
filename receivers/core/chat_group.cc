#include "receivers/core/chat_group.h"

#include <algorithm>
#include <map>

#include "receivers/core/alert_words.h"
#include "receivers/core/transition_words.h"

namespace lokahi::receivers {
namespace {

using github::xe::lokahi::Check;

using github::xe::lokahi::AlertStatus;

// Lower ranks are listed first: what needs someone now, then what got better.
int StateRank(State state) {
  switch (state) {
    case Check::DOWN:
      return 0;
    case Check::ERROR:
      return 2;
    case Check::UP:
      return 5;
    default:
      return 8;
  }
}

int AlertKindRank(AlertKind kind) {
  switch (kind) {
    case AlertStatus::RAISED:
      return 1;
    case AlertStatus::REMINDER:
      return 3;
    case AlertStatus::ACKNOWLEDGED:
      return 4;
    case AlertStatus::RECOVERED:
      return 6;
    case AlertStatus::CLEARED:
      return 7;
    default:
      return 8;
  }
}

struct Kind {
  int rank;
  std::string label;
  bool operator<(const Kind& other) const {
    return rank != other.rank ? rank < other.rank : label < other.label;
  }
};

Kind KindOf(const github::xe::lokahi::CheckStatus& status) {
  const State state = status.check().state();
  return {StateRank(state), std::string(StateEmoji(state)) + " " + StateName(state)};
}

Kind KindOf(const AlertStatus& status) {
  return {AlertKindRank(status.kind()),
          std::string(AlertKindEmoji(status.kind())) + " " + AlertKindName(status.kind())};
}

}  // namespace

std::vector<GroupTally> TallyGroup(std::span<const Notification> group) {
  std::map<Kind, std::size_t> counts;
  for (const Notification& notification : group) {
    ++counts[std::visit([](const auto& body) { return KindOf(body); }, notification)];
  }
  std::vector<GroupTally> tallies;
  for (const auto& [kind, count] : counts) tallies.push_back({kind.label, count});
  return tallies;
}

std::string GroupHeadline(std::span<const Notification> group) {
  std::string headline = std::to_string(group.size()) + " notifications:";
  bool first = true;
  for (const GroupTally& tally : TallyGroup(group)) {
    headline += (first ? " " : ", ") + std::to_string(tally.count) + " " + tally.label;
    first = false;
  }
  return headline;
}

std::string GroupRemainder(std::span<const Notification> group) {
  if (group.size() <= kGroupShownFirst) return "";
  return "…and " + std::to_string(group.size() - kGroupShownFirst) + " more";
}

}  // namespace lokahi::receivers
