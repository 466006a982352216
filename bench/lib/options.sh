# shellcheck shell=bash
# shellcheck disable=SC2034  # its settings are read by the files that source this one
# Command-line options of bench/throughput and the settings derived from them.

BENCH_CHECKS=100000
BENCH_MINUTES=3
BENCH_EVERY=10
BENCH_WARMUP=30
BENCH_WORKERS=1
BENCH_LATENCY_MS=0
BENCH_SMOKE=0
BENCH_KEEP=0
# Seconds of the bare-libcurl ceiling measured before the stack starts (bench/lib/ceiling.sh).
BENCH_CEILING_SECONDS=20
# The measured window in seconds: --minutes × 60, except in a smoke run.
BENCH_WINDOW_SECONDS=0

bench_usage() {
  cat <<'USAGE'
usage: bench/throughput [--checks N] [--minutes M] [--every S] [--warmup S] [--workers W]
                        [--latency-ms L] [--ceiling S] [--tls] [--smoke] [--keep]

Starts a private lokahi-cpp stack and a local HTTP target, bulk-inserts N checks probed every S
seconds, waits the warm-up, measures M whole minutes, prints a table and one JSON line, and stops
everything it started.

  --checks N      checks to create (default 100000)
  --minutes M     length of the measured window in minutes (default 3)
  --every S       interval of every check in seconds (default 10)
  --warmup S      seconds between the end of seeding the checks and the window (default 30)
  --workers W     healthworker processes, 1-10 (default 1)
  --latency-ms L  answer after L ms (delay_target instead of nginx; default 0 = nginx)
  --ceiling S     first measure the machine's ceiling for S seconds: one bare libcurl client per
                  core against the same nginx (default 20, 0 = skip; smoke: 3)
  --tls           every check is https://: nginx terminates TLS with a certificate from a CA
                  made for the run, which the workers (LOKAHI_CA_BUNDLE) and the ceiling's
                  clients trust; the ceiling is then bare libcurl doing full TLS handshakes
  --smoke         a ~1 minute sanity run: 2000 checks, every 10, warm-up 15 s, 30 s measured
  --keep          keep the data directory (logs, database) instead of deleting it

Environment: LOKAHI_BUILD_DIR (default <repo>/build-bench), LOKAHI_SKIP_BUILD=1, and any daemon
setting (e.g. LOKAHI_MAX_IN_FLIGHT, LOKAHI_TLS_RESUME) passes through to the stack. See
bench/README.md.
USAGE
}

bench_whole_number() {
  [[ "$2" =~ ^[0-9]+$ ]] || bench_die "$1 must be a whole number, got '$2'"
}

bench_parse_options() {
  local explicit_minutes=0 explicit_ceiling=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --checks) bench_whole_number "$1" "${2:-}"; BENCH_CHECKS="$2"; shift 2 ;;
      --minutes) bench_whole_number "$1" "${2:-}"; BENCH_MINUTES="$2"; explicit_minutes=1; shift 2 ;;
      --every) bench_whole_number "$1" "${2:-}"; BENCH_EVERY="$2"; shift 2 ;;
      --warmup) bench_whole_number "$1" "${2:-}"; BENCH_WARMUP="$2"; shift 2 ;;
      --workers) bench_whole_number "$1" "${2:-}"; BENCH_WORKERS="$2"; shift 2 ;;
      --latency-ms) bench_whole_number "$1" "${2:-}"; BENCH_LATENCY_MS="$2"; shift 2 ;;
      --ceiling) bench_whole_number "$1" "${2:-}"; BENCH_CEILING_SECONDS="$2"; explicit_ceiling=1; shift 2 ;;
      --tls) BENCH_TLS=1; shift ;;
      --smoke) BENCH_SMOKE=1; shift ;;
      --keep) BENCH_KEEP=1; shift ;;
      -h | --help) bench_usage; exit 0 ;;
      *) bench_usage >&2; exit 2 ;;
    esac
  done
  if [ "$BENCH_SMOKE" = 1 ]; then
    BENCH_CHECKS=2000 BENCH_EVERY=10 BENCH_WARMUP=15 BENCH_WINDOW_SECONDS=30
    [ "$explicit_ceiling" = 1 ] || BENCH_CEILING_SECONDS=3
    [ "$explicit_minutes" = 0 ] || bench_die "--smoke measures 30 s; drop --minutes"
  else
    BENCH_WINDOW_SECONDS=$((BENCH_MINUTES * 60))
  fi
  [ "$BENCH_CHECKS" -ge 1 ] || bench_die "--checks must be at least 1"
  [ "$BENCH_EVERY" -ge 1 ] || bench_die "--every must be at least 1 second"
  [ "$BENCH_WINDOW_SECONDS" -ge 1 ] || bench_die "--minutes must be at least 1"
  if [ "$BENCH_WORKERS" -lt 1 ] || [ "$BENCH_WORKERS" -gt 10 ]; then
    bench_die "--workers must be 1-10"
  fi
}

# Probes the checks ask for per minute.
bench_offered_per_minute() { echo $((BENCH_CHECKS * 60 / BENCH_EVERY)); }

# A probe's timeout: generous against a local target, and well above the latency mode's delay.
bench_probe_timeout_ms() {
  local timeout=$((BENCH_LATENCY_MS * 4 + 2000))
  [ "$timeout" -ge 5000 ] || timeout=5000
  # The healthworker refuses checks with a timeout over 120 s.
  [ "$timeout" -le 120000 ] || timeout=120000
  echo "$timeout"
}
