#!/usr/bin/env bash
# deploy/local/lib/process.sh on its own: graceful stop, SIGKILL after the timeout, and a stale
# pid file whose pid now runs something else is neither reported running nor signalled.
#   process_test.sh SOURCE_DIR
set -euo pipefail
# shellcheck source=../../deploy/local/lib/process.sh disable=SC2034  # settings process.sh reads
. "$1/deploy/local/lib/process.sh"

LOKAHI_DATA_DIR="$(mktemp -d /tmp/lokahi-process-test-XXXXXX)"
LOKAHI_LOG_DIR="$LOKAHI_DATA_DIR/logs"
LOKAHI_RUN_DIR="$LOKAHI_DATA_DIR/run"
LOKAHI_STOP_TIMEOUT=1
mkdir -p "$LOKAHI_LOG_DIR" "$LOKAHI_RUN_DIR"
bystander=""
cleanup() {
  [ -z "$bystander" ] || kill -KILL "$bystander" 2>/dev/null || true
  for f in "$LOKAHI_RUN_DIR"/*.pid; do [ -e "$f" ] && { kill -KILL "$(cat "$f")" 2>/dev/null || true; }; done
  rm -rf "$LOKAHI_DATA_DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
alive() { [ -d "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat")" != Z ]; }

sleep_bin="$(readlink -f "$(command -v sleep)")"
bash_bin="$(readlink -f "$(command -v bash)")"

# A well-behaved process stops on SIGTERM, and its pid file goes.
start_process polite "$sleep_bin" "$sleep_bin" 300
pid="$(running_pid polite "$sleep_bin")" || fail "polite not running after start"
[ "$(readlink -f /proc/"$pid"/exe)" = "$sleep_bin" ] || fail "pid $pid is not the sleep itself"
grep -q "starting $sleep_bin" "$LOKAHI_LOG_DIR/polite.log" || fail "no start line in the log"
stop_process polite >/dev/null
! alive "$pid" || fail "polite (pid $pid) survived stop_process"
[ ! -e "$LOKAHI_RUN_DIR/polite.pid" ] || fail "polite.pid left behind"

# One that ignores SIGTERM is killed after LOKAHI_STOP_TIMEOUT.
# (An ignored signal stays ignored across exec, so the sleep itself ignores SIGTERM.)
start_process stubborn "$sleep_bin" "$bash_bin" -c "trap '' TERM; exec $sleep_bin 300"
pid="$(running_pid stubborn "$sleep_bin")" || fail "stubborn not running after start"
started=$SECONDS
stop_process stubborn 2>"$LOKAHI_DATA_DIR/stderr" >/dev/null
! alive "$pid" || fail "stubborn (pid $pid) survived stop_process"
grep -q "did not stop within 1s" "$LOKAHI_DATA_DIR/stderr" || fail "no warning before SIGKILL"
[ $((SECONDS - started)) -le 5 ] || fail "stopping stubborn took $((SECONDS - started)) s"

# A pid file naming a live process that runs another binary (pid reuse) is left alone.
"$sleep_bin" 300 &
bystander=$!
echo "$bystander" >"$LOKAHI_RUN_DIR/ghost.pid"
echo /usr/bin/nats-server >"$LOKAHI_RUN_DIR/ghost.binary"
! running_pid ghost /usr/bin/nats-server >/dev/null || fail "a reused pid counted as running"
stop_process ghost >/dev/null
alive "$bystander" || fail "stop_process signalled an unrelated process"
[ ! -e "$LOKAHI_RUN_DIR/ghost.pid" ] || fail "stale ghost.pid not removed"

# A command that cannot start leaves no live pid.
start_process broken /nonexistent/binary /nonexistent/binary
sleep 0.2
! running_pid broken /nonexistent/binary >/dev/null || fail "a failed exec counted as running"
echo PASS
