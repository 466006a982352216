# shellcheck shell=bash
# The lokahi-cpp stack under test: deploy/local's native stack in a private data directory and
# port range, from an optimised build. Also the build itself and SQL against the stack's Postgres.

BENCH_STACK_TARGETS=(lokahid healthworker webhookworker lokahictl sample_hook duke-of-york delay_target
  curl_ceiling)
BENCH_STACK_STARTED=0

# Builds what the benchmark runs, unless LOKAHI_SKIP_BUILD=1. A fresh build directory is
# configured RelWithDebInfo (optimised, with symbols for perf) without the test suite.
bench_build() {
  if [ "${LOKAHI_SKIP_BUILD:-0}" = 1 ]; then
    bench_log "LOKAHI_SKIP_BUILD=1: using the binaries in $LOKAHI_BUILD_DIR as they are"
  else
    if [ ! -f "$LOKAHI_BUILD_DIR/build.ninja" ]; then
      cmake -G Ninja -S "$BENCH_REPO_DIR" -B "$LOKAHI_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DLOKAHI_BUILD_TESTS=OFF >/dev/null
    fi
    bench_log "building ${BENCH_STACK_TARGETS[*]} in $LOKAHI_BUILD_DIR"
    ninja -C "$LOKAHI_BUILD_DIR" "${BENCH_STACK_TARGETS[@]}" >&2
  fi
  BENCH_BUILD_TYPE="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$LOKAHI_BUILD_DIR/CMakeCache.txt" 2>/dev/null)"
  BENCH_BUILD_TYPE="${BENCH_BUILD_TYPE:-unknown}"
  case "$BENCH_BUILD_TYPE" in
    Release | RelWithDebInfo) ;;
    *) bench_log "WARNING: $LOKAHI_BUILD_DIR is a '$BENCH_BUILD_TYPE' build: the figures will not say what an optimised build does" ;;
  esac
  if grep -qiE '^CMAKE_CXX_FLAGS[^=]*=.*-fsanitize' "$LOKAHI_BUILD_DIR/CMakeCache.txt" 2>/dev/null; then
    bench_log "WARNING: $LOKAHI_BUILD_DIR is built with sanitizers: the figures are not representative"
    BENCH_BUILD_TYPE="$BENCH_BUILD_TYPE+sanitizers"
  fi
}

# Runs deploy/local/SCRIPT against this benchmark's stack. Teardown is kept short: a
# healthworker gets 2 s to finish its probes, the scripts SIGKILL after 10 s.
bench_stack_script() {
  env LOKAHI_DATA_DIR="$BENCH_DATA_DIR" LOKAHI_PORT_BASE="$BENCH_PORT_BASE" \
    LOKAHI_BUILD_DIR="$LOKAHI_BUILD_DIR" LOKAHI_SKIP_BUILD=1 LOKAHI_NO_DEMO=1 \
    LOKAHI_HEALTHWORKERS="$BENCH_WORKERS" LOKAHI_MIN_EVERY="$BENCH_MIN_EVERY" \
    LOKAHI_STOP_GRACE_MS="${LOKAHI_STOP_GRACE_MS:-2000}" LOKAHI_STOP_TIMEOUT=10 \
    timeout "$2" "$BENCH_REPO_DIR/deploy/local/$1"
}

bench_start_stack() {
  BENCH_MIN_EVERY="${LOKAHI_MIN_EVERY:-10}"
  [ "$BENCH_EVERY" -ge "$BENCH_MIN_EVERY" ] || BENCH_MIN_EVERY="$BENCH_EVERY"
  BENCH_STACK_STARTED=1
  bench_log "starting the stack (data $BENCH_DATA_DIR, ports from $BENCH_PORT_BASE, $BENCH_WORKERS healthworker(s))"
  if ! bench_stack_script up 300 >"$BENCH_DATA_DIR/up.log" 2>&1; then
    cat "$BENCH_DATA_DIR/up.log" >&2
    bench_die "deploy/local/up failed (log above)"
  fi
  BENCH_PG_URL="postgresql://postgres:$(cat "$BENCH_DATA_DIR/secrets/postgres.password")@127.0.0.1:$((BENCH_PORT_BASE + 10))/lokahi"
}

bench_stop_stack() {
  [ "$BENCH_STACK_STARTED" = 1 ] || return 0
  BENCH_STACK_STARTED=0
  bench_log "stopping the stack"
  bench_stack_script down 180 >>"$BENCH_DATA_DIR/down.log" 2>&1 ||
    bench_log "WARNING: deploy/local/down failed; see $BENCH_DATA_DIR/down.log"
}

# bench_sql SQL: runs SQL on the stack's database (bounded), unaligned and tuples only.
bench_sql() {
  timeout 300 psql "$BENCH_PG_URL" -X -v ON_ERROR_STOP=1 -qtAF ' ' -c "$1"
}

# Metrics ports of the healthworkers (deploy/local's layout: base + 39 + instance).
bench_healthworker_metrics_ports() {
  local i
  for ((i = 1; i <= BENCH_WORKERS; i++)); do echo $((BENCH_PORT_BASE + 39 + i)); done
}
