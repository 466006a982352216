# shellcheck shell=bash
# Readings from the healthworkers' Prometheus /metrics: in-flight probes sampled every second
# (the figure of the latency mode), and counters at the window's edges for a progress line and
# the reasons of skipped slots. The benchmark's figures themselves come from the results table.

BENCH_SAMPLER_PID=""

# Sums, over every healthworker, the series named in $1 (exact series text, labels included).
bench_metric_sum() {
  local series="$1" port
  for port in $(bench_healthworker_metrics_ports); do
    curl -s --max-time 1 "http://127.0.0.1:$port/metrics" 2>/dev/null
  done | awk -v s="$series" '$1 == s { sum += $2 } END { printf "%.0f\n", sum }'
}

# Writes "unix_seconds in_flight queued" to FILE every second for at most SECONDS.
bench_start_sampler() {
  local file="$1" seconds="$2"
  (
    local end=$((SECONDS + seconds)) port
    while [ "$SECONDS" -lt "$end" ]; do
      for port in $(bench_healthworker_metrics_ports); do
        curl -s --max-time 1 "http://127.0.0.1:$port/metrics" 2>/dev/null
      done | awk -v now="$(date +%s.%N)" '
        $1 == "lokahi_probes_in_flight" { flight += $2 }
        $1 == "lokahi_probes_queued" { queued += $2 }
        END { printf "%s %d %d\n", now, flight, queued }'
      sleep 1
    done
  ) >"$file" 2>/dev/null &
  BENCH_SAMPLER_PID=$!
}

bench_stop_sampler() {
  [ -n "$BENCH_SAMPLER_PID" ] || return 0
  kill "$BENCH_SAMPLER_PID" 2>/dev/null || true
  wait "$BENCH_SAMPLER_PID" 2>/dev/null || true
  BENCH_SAMPLER_PID=""
}

# Peak and mean of in-flight probes in the samples between T0 and T1 (unix seconds).
bench_in_flight_stats() {
  awk -v t0="$2" -v t1="$3" '$1 >= t0 && $1 < t1 { if ($2 > peak) peak = $2; sum += $2; n++ }
    END { printf "%d %.0f\n", peak, n ? sum / n : 0 }' "$1"
}

# The healthworkers' counters worth comparing across the window, as "name value" lines.
bench_snapshot_worker_counters() {
  {
    echo "probes_up $(bench_metric_sum 'lokahi_probes_total{outcome="up"}')"
    echo "probes_down $(bench_metric_sum 'lokahi_probes_total{outcome="down"}')"
    echo "probes_error $(bench_metric_sum 'lokahi_probes_total{outcome="error"}')"
    echo "skipped_stale $(bench_metric_sum 'lokahi_skipped_slots_total{reason="stale"}')"
    echo "skipped_overload $(bench_metric_sum 'lokahi_skipped_slots_total{reason="overload"}')"
    echo "results_dropped $(bench_metric_sum 'lokahi_results_dropped_total')"
  } >"$1"
}
