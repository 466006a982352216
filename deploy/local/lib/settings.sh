# shellcheck shell=bash
# shellcheck disable=SC2034  # the settings are read by the scripts that source this file
# Where the native stack lives and which ports it uses. Sourced by up, down and status; every value
# can be overridden from the environment so several stacks (a demo, a test, a benchmark) run side
# by side without touching each other.

# Which of the location settings the operator chose, before defaults fill them in.
declare -A _lokahi_exported=(
  [LOKAHI_DATA_DIR]="${LOKAHI_DATA_DIR:-}" [LOKAHI_PORT_BASE]="${LOKAHI_PORT_BASE:-}"
  [LOKAHI_BUILD_DIR]="${LOKAHI_BUILD_DIR:-}")

LOKAHI_REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
LOKAHI_BUILD_DIR="${LOKAHI_BUILD_DIR:-$LOKAHI_REPO_DIR/build}"

# As root the data directory must be reachable by the postgres user (initdb refuses root, so the
# server runs as postgres), and /root is not: root's stack lives in /var/lib/lokahi instead.
if [ -z "${LOKAHI_DATA_DIR:-}" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    LOKAHI_DATA_DIR=/var/lib/lokahi
  else
    LOKAHI_DATA_DIR="${XDG_DATA_HOME:-$HOME/.local/share}/lokahi"
  fi
fi
LOKAHI_LOG_DIR="$LOKAHI_DATA_DIR/logs"
LOKAHI_RUN_DIR="$LOKAHI_DATA_DIR/run"
LOKAHI_SECRETS_DIR="$LOKAHI_DATA_DIR/secrets"
LOKAHI_PG_DIR="$LOKAHI_DATA_DIR/postgres"

# Every port is LOKAHI_PORT_BASE plus a fixed offset. The default base puts lokahid's gRPC API on
# 24253, lokahi's own port, which is also lokahictl's default.
LOKAHI_PORT_BASE="${LOKAHI_PORT_BASE:-24250}"
if ! [[ "$LOKAHI_PORT_BASE" =~ ^[0-9]+$ ]]; then
  echo "error: LOKAHI_PORT_BASE must be a port number, got '$LOKAHI_PORT_BASE'" >&2
  return 1
fi
LOKAHID_PORT=$((LOKAHI_PORT_BASE + 3))
LOKAHI_PG_PORT=$((LOKAHI_PORT_BASE + 10))
LOKAHI_NATS_PORT=$((LOKAHI_PORT_BASE + 11))
LOKAHI_NATS_MONITOR_PORT=$((LOKAHI_PORT_BASE + 12))
LOKAHI_SAMPLE_HOOK_PORT=$((LOKAHI_PORT_BASE + 20))
LOKAHI_DUKE_PORT=$((LOKAHI_PORT_BASE + 21))
LOKAHID_METRICS_PORT=$((LOKAHI_PORT_BASE + 30))
# Instance i (1-based) of a worker: healthworkers from +40, webhookworkers from +50.
healthworker_metrics_port() { echo $((LOKAHI_PORT_BASE + 39 + $1)); }
webhookworker_metrics_port() { echo $((LOKAHI_PORT_BASE + 49 + $1)); }

# How many of each worker to run (1–10): they share work through NATS queue groups.
LOKAHI_HEALTHWORKERS="${LOKAHI_HEALTHWORKERS:-1}"
LOKAHI_WEBHOOKWORKERS="${LOKAHI_WEBHOOKWORKERS:-1}"

DUKE_PERIOD="${DUKE_PERIOD:-60}"
# The demo check probes duke-of-york this often (seconds); lokahid's LOKAHI_MIN_EVERY must allow it.
LOKAHI_DEMO_EVERY="${LOKAHI_DEMO_EVERY:-10}"
LOKAHI_START_TIMEOUT="${LOKAHI_START_TIMEOUT:-60}"
# Longer than healthworker's own LOKAHI_STOP_GRACE_MS (15 s), so a graceful stop is never cut short.
LOKAHI_STOP_TIMEOUT="${LOKAHI_STOP_TIMEOUT:-30}"
# Extra postgres server options, e.g. "-c shared_buffers=512MB -c synchronous_commit=off".
LOKAHI_PG_OPTIONS="${LOKAHI_PG_OPTIONS:-}"

LOKAHI_DATABASE_NAME=lokahi
LOKAHI_DEMO_PLAYBOOK_URL="https://github.com/Xe/lokahi/wiki/duke-of-york-Playbook"
LOKAHI_WEBHOOK_PATH="/twirp/github.xe.lokahi.Webhook/Handle"

# The settings that differ from the defaults, as VAR=value words to put before a command, so the
# commands `up` prints reach the same stack.
settings_prefix() {
  local name
  for name in LOKAHI_DATA_DIR LOKAHI_PORT_BASE LOKAHI_BUILD_DIR; do
    if [ -n "${_lokahi_exported[$name]:-}" ]; then printf '%s=%q ' "$name" "${!name}"; fi
  done
}

validate_settings() {
  local name value
  for name in LOKAHI_PORT_BASE LOKAHI_HEALTHWORKERS LOKAHI_WEBHOOKWORKERS LOKAHI_START_TIMEOUT \
              LOKAHI_STOP_TIMEOUT LOKAHI_DEMO_EVERY; do
    value="${!name}"
    if ! [[ "$value" =~ ^[0-9]+$ ]]; then
      echo "error: $name must be a whole number, got '$value'" >&2
      return 1
    fi
  done
  if [ "$LOKAHI_PORT_BASE" -lt 1024 ] || [ "$LOKAHI_PORT_BASE" -gt 65470 ]; then
    echo "error: LOKAHI_PORT_BASE must be 1024–65470 (the stack uses the 60 ports above it)" >&2
    return 1
  fi
  for name in LOKAHI_HEALTHWORKERS LOKAHI_WEBHOOKWORKERS; do
    if [ "${!name}" -lt 1 ] || [ "${!name}" -gt 10 ]; then
      echo "error: $name must be 1–10, got ${!name}" >&2
      return 1
    fi
  done
  # In the ephemeral range an outgoing connection can hold a port just before a daemon binds it.
  local low high
  read -r low high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || return 0
  if [ $((LOKAHI_PORT_BASE + 59)) -ge "$low" ] && [ "$LOKAHI_PORT_BASE" -le "$high" ]; then
    echo "warning: ports $LOKAHI_PORT_BASE–$((LOKAHI_PORT_BASE + 59)) overlap the kernel's ephemeral range ($low–$high); a start may fail with 'address in use'" >&2
  fi
}
