# shellcheck shell=bash
# Small pieces every part of the benchmark uses: messages, bounded waits, stopping a process.

bench_log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
bench_die() { printf 'bench/throughput: error: %s\n' "$*" >&2; exit 1; }

# bench_wait_for SECONDS WHAT COMMAND…: runs COMMAND every 0.5 s until it succeeds; fails (saying
# WHAT it waited for) after SECONDS.
bench_wait_for() {
  local seconds="$1" what="$2" deadline
  shift 2
  deadline=$((SECONDS + seconds))
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      bench_log "gave up waiting ${seconds}s for $what"
      return 1
    fi
    sleep 0.5
  done
}

# Sets and exports LOKAHI_BUILD_DIR (default <repo>/build-bench) as an absolute path: the stack's
# scripts run from other directories, where a relative one would name nothing.
bench_set_build_dir() {
  LOKAHI_BUILD_DIR="${LOKAHI_BUILD_DIR:-$BENCH_REPO_DIR/build-bench}"
  case "$LOKAHI_BUILD_DIR" in /*) ;; *) LOKAHI_BUILD_DIR="$PWD/$LOKAHI_BUILD_DIR" ;; esac
  export LOKAHI_BUILD_DIR
}

bench_child_pids() { cat "/proc/$1/task/"*/children 2>/dev/null | tr ' ' '\n' | grep -v '^$' || true; }

# True while PID runs (a zombie, exited but not yet reaped, does not count).
bench_alive() { [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# bench_stop_pid PID SECONDS: SIGTERM to PID; after SECONDS, SIGKILL to it and the children it had.
bench_stop_pid() {
  local pid="$1" seconds="$2" children child waited=0
  bench_alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
  children="$(bench_child_pids "$pid")"
  kill -TERM "$pid" 2>/dev/null || true
  while bench_alive "$pid" && [ "$waited" -lt $((seconds * 10)) ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  for child in $pid $children; do
    if bench_alive "$child"; then kill -KILL "$child" 2>/dev/null || true; fi
  done
  wait "$pid" 2>/dev/null || true
}

# True when nothing listens on TCP port $1 (any address).
bench_port_free() { ! ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }

# A base port with BENCH_PORT_SPAN free ports above it, below the kernel's ephemeral range, so this
# stack never meets a user's (default 24250) or another benchmark's.
BENCH_PORT_SPAN=61
bench_pick_port_base() {
  local base port busy low _high
  read -r low _high </proc/sys/net/ipv4/ip_local_port_range
  for ((base = 14000 + (RANDOM % 40) * 100; base + BENCH_PORT_SPAN < low; base += 100)); do
    busy=0
    for ((port = base; port < base + BENCH_PORT_SPAN; port++)); do
      bench_port_free "$port" || { busy=1; break; }
    done
    [ "$busy" = 1 ] || { echo "$base"; return 0; }
  done
  bench_die "no free range of $BENCH_PORT_SPAN ports below $low"
}
