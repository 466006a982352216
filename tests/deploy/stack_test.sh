#!/usr/bin/env bash
# Drives deploy/local/{up,status,down} against an already-built tree, on a private data directory
# and port range, and checks that `up` is idempotent and `down` leaves no process behind.
#   stack_test.sh SOURCE_DIR BINARY_DIR [--end-to-end]
# With --end-to-end it also waits for a webhook that duke-of-york's flips cause to reach
# sample_hook (needs lokahid's scheduler, healthworker and webhookworker).
set -euo pipefail
source_dir="$1"
binary_dir="$2"
end_to_end="${3:-}"
deploy="$source_dir/deploy/local"
# shellcheck source=stack_test_lib.sh
. "$(dirname "$0")/stack_test_lib.sh"

data_parent="$(mktemp -d /tmp/lokahi-deploy-test-XXXXXX)"
chmod 755 "$data_parent"  # the postgres user must traverse it when the test runs as root
export LOKAHI_DATA_DIR="$data_parent/data"
export LOKAHI_PORT_BASE
LOKAHI_PORT_BASE="$(free_port_base)"
export LOKAHI_SKIP_BUILD=1 LOKAHI_BUILD_DIR="$binary_dir" LOKAHI_START_TIMEOUT=60
# The demo check probes every second, so duke's 3 s flips each show up as a transition.
export LOKAHI_STOP_TIMEOUT=30 DUKE_PERIOD=3 LOKAHI_DEMO_EVERY=1 LOKAHI_MIN_EVERY=1
unset USERPASS LOKAHI_WEBHOOK_SECRET
echo "stack test: data $LOKAHI_DATA_DIR, ports from $LOKAHI_PORT_BASE"

cleanup() {
  "$deploy/down" >/dev/null 2>&1 || true
  # Anything down missed: only processes working in this test's data dir.
  for pid in $(processes_in_data_dir); do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$data_parent"
}
trap cleanup EXIT

run_logged "$deploy/up" || fail "up failed"
recorded_pids="$(stack_pids)"
[ -n "$recorded_pids" ] || fail "up recorded no pids"
# The leftover check after down relies on this: everything up starts works in the data dir.
in_data_dir=" $(processes_in_data_dir | tr '\n' ' ') "
for pid in $recorded_pids; do
  [[ "$in_data_dir" == *" $pid "* ]] || fail "pid $pid does not run in $LOKAHI_DATA_DIR"
done

# Every component whose binary is built must run; the rest must say so.
expect_component_state postgres running
expect_component_state nats running
for component in lokahid healthworker webhookworker sample_hook duke-of-york; do
  if [ -x "$(binary_of "$component")" ]; then
    expect_component_state "$component" running
  else
    echo "note: $component is not built; only its 'not built' row is checked"
    expect_component_state "$component" "not built"
  fi
done
status_output="$("$deploy/status")" || fail "status exits $? while everything runs:
$status_output"

# Ports answer: the receivers over HTTP, daemons on their /healthz when they serve one.
port_accepts $((LOKAHI_PORT_BASE + 10)) || fail "postgres port not open"
port_accepts $((LOKAHI_PORT_BASE + 11)) || fail "nats port not open"
# NATS requires credentials (the daemons' NATS_URL carries them; their /healthz below proves it).
varz="$(curl -s --max-time 5 "http://127.0.0.1:$((LOKAHI_PORT_BASE + 12))/varz")" ||
  fail "nats monitoring did not answer"
grep -q '"auth_required": true' <<<"$varz" || fail "nats-server accepts clients without credentials"
! grep -rq "$(cat "$LOKAHI_DATA_DIR/secrets/nats.password")" "$LOKAHI_DATA_DIR/logs" ||
  fail "the NATS password appears in a log"
built duke-of-york && { port_accepts $((LOKAHI_PORT_BASE + 21)) || fail "duke-of-york port not open"; }
built sample_hook && { port_accepts $((LOKAHI_PORT_BASE + 20)) || fail "sample_hook port not open"; }
built lokahid && { port_accepts $((LOKAHI_PORT_BASE + 3)) || fail "lokahid port not open"; }

# Every daemon answers /healthz with 200 and /metrics in the Prometheus format.
for daemon_offset in lokahid:30 healthworker:40 webhookworker:50; do
  daemon="${daemon_offset%%:*}"
  port=$((LOKAHI_PORT_BASE + ${daemon_offset##*:}))
  built "$daemon" || continue
  [ "$(curl -s --max-time 5 "http://127.0.0.1:$port/healthz")" = ok ] ||
    fail "$daemon /healthz on $port is not 'ok'"
  # Read whole before grep: grep -q stopping early would fail curl (SIGPIPE) under pipefail.
  metrics="$(curl -s --max-time 5 "http://127.0.0.1:$port/metrics")" ||
    fail "$daemon /metrics on $port did not answer"
  grep -q '^# TYPE lokahi_' <<<"$metrics" || fail "$daemon /metrics on $port has no lokahi_ series"
done

# The demo check exists exactly once, even after a second `up`, which must keep every process.
run_logged "$deploy/up" || fail "second up failed"
[ "$(stack_pids)" = "$recorded_pids" ] || fail "second up changed the processes:
before: $recorded_pids
after:  $(stack_pids)"
grep -q "already running" "$last_log" || fail "second up did not report running components"
if built lokahid && built lokahictl/lokahictl; then
  count="$(demo_check_count)"
  [ "$count" = 1 ] || fail "expected one demo check after two ups, found $count"
fi

if [ "$end_to_end" = --end-to-end ]; then
  for needed in lokahid healthworker webhookworker sample_hook duke-of-york; do
    built "$needed" || fail "end-to-end needs $needed, which is not built"
  done
  # What the README promises: sample_hook's log shows the demo check going DOWN and UP.
  started_waiting=$SECONDS
  wait_for_log_line sample_hook "event=webhook .* state=DOWN previous_state=UP" 90 ||
    fail "sample_hook saw no UP -> DOWN within 90 s; logs: $LOKAHI_DATA_DIR/logs"
  wait_for_log_line sample_hook "event=webhook .* state=UP previous_state=DOWN" 30 ||
    fail "sample_hook saw no DOWN -> UP within 30 s; logs: $LOKAHI_DATA_DIR/logs"
  # Each delivery continues from the one before: no transition missing, none twice.
  states="$(grep -o 'event=webhook .* state=[A-Z]* previous_state=[A-Z]*' \
    "$LOKAHI_DATA_DIR/logs/sample_hook.log" | sed 's/.* state=\([A-Z]*\) previous_state=\([A-Z]*\)/\2>\1/')"
  previous=INIT
  while read -r step; do
    [ "${step%%>*}" = "$previous" ] || fail "deliveries out of order or missing: $(echo $states)"
    previous="${step##*>}"
  done <<<"$states"
  echo "end-to-end: sample_hook logged $(echo $states) in $((SECONDS - started_waiting)) s"
fi

run_logged "$deploy/down" || fail "down failed"
expect_all_stopped
grep -q "database system is shut down" "$LOKAHI_DATA_DIR/logs/postgres.log" ||
  fail "Postgres did not log a clean shutdown"

# The data survives: a second start reuses the cluster (no initdb) and keeps the demo check.
run_logged "$deploy/up" || fail "up after down failed"
! grep -q "initialising Postgres" "$last_log" || fail "up after down initialised Postgres again"
if built lokahid && built lokahictl/lokahictl; then
  count="$(demo_check_count)"
  [ "$count" = 1 ] || fail "expected the one demo check to survive a restart, found $count"
fi
recorded_pids="$(stack_pids)"
run_logged "$deploy/down" || fail "second down failed"
expect_all_stopped
echo "PASS"
