#pragma once
// The confirmations one worker waits for (issue 19), and when each gives up. Pure: no NATS, no
// clock of its own; the caller passes the time.
//
// A wait gives up `timeout + margin` after its request was sent, unless another worker takes the
// request first (its "accepted" answer, sent before it probes): then `timeout + margin` after the
// acceptance arrived. So the other worker's probe gets its whole timeout however long the request
// took to reach it (a loaded machine, a busy NATS), and a wait still ends one probe timeout plus
// the margin after the probe began. Nobody taking the request within the first window (a one-worker
// stack whose request comes back as not probed ends sooner) commits the transition unconfirmed.
//
// Not thread-safe: the owner serialises calls.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lib/store/result_writer.h"

namespace lokahi::healthworker {

class ConfirmationWaits {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit ConfirmationWaits(std::chrono::milliseconds margin) : margin_(margin) {}

  // Opens a wait for `request`, sent at `now`; returns its sequence number (the last part of the
  // reply subject), or nothing when a wait for the same check is open already: its answer decides
  // for both (the failure the second one saw is counted in the check's state).
  std::optional<uint64_t> Open(store::ConfirmationRequest&& request, TimePoint now);
  // Another worker took request `seq` at about `now`; false when no such wait is open. Only the
  // first acceptance moves the deadline, and never earlier.
  bool Accept(uint64_t seq, TimePoint now);
  // The request came back unprobed, though other workers exist (their paths were impaired):
  // ask again `after` from `now`, if the wait lasts that long. False when it does not (or `seq`
  // is not open): the caller closes it as unanswered.
  bool AskAgainLater(uint64_t seq, TimePoint now, std::chrono::milliseconds after);
  // The waits to ask again as of `now` (each returned once per AskAgainLater), with the failure
  // to describe in the request.
  std::vector<std::pair<uint64_t, store::ProbeRecord>> DueAgain(TimePoint now);
  // Closes wait `seq` with `verdict`; nothing when it is not open (answered twice, or expired).
  std::optional<store::ConfirmationResult> Close(uint64_t seq, store::ConfirmationVerdict verdict);
  // Closes every wait whose deadline is not after `now`, as unanswered.
  std::vector<store::ConfirmationResult> Expire(TimePoint now);
  size_t size() const { return waits_.size(); }

 private:
  struct Wait {
    store::ConfirmationRequest request;
    TimePoint deadline;
    bool accepted = false;
    std::optional<TimePoint> ask_again_at;
  };
  std::chrono::milliseconds Window(const Wait& wait) const;

  const std::chrono::milliseconds margin_;
  uint64_t next_seq_ = 1;
  std::map<uint64_t, Wait> waits_;
  std::map<std::string, uint64_t> by_check_;
};

}  // namespace lokahi::healthworker
