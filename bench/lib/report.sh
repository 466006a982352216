# shellcheck shell=bash
# shellcheck disable=SC2034  # its settings are read by the files that source this one
# Turns the window's snapshots and the results table into the figures, a readable table and one
# JSON line. Every figure about probes comes from Postgres, i.e. what was really recorded.

# Probes whose probed_at falls in [T0, T1), their outcomes and lags (milliseconds).
# Prints: probes not_200 no_answer sched_p50 sched_p99 sched_max write_p50 write_p99
bench_query_window() {
  bench_sql "
    SELECT count(*),
      count(*) FILTER (WHERE status_code <> 200),
      count(*) FILTER (WHERE status_code = 0),
      round((coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM probed_at - due_at)), 0) * 1000)::numeric, 1),
      round((coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM probed_at - due_at)), 0) * 1000)::numeric, 1),
      round((coalesce(max(extract(epoch FROM probed_at - due_at)), 0) * 1000)::numeric, 1),
      round((coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM written_at - probed_at)), 0) * 1000)::numeric, 1),
      round((coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM written_at - probed_at)), 0) * 1000)::numeric, 1)
    FROM results WHERE probed_at >= to_timestamp($1) AND probed_at < to_timestamp($2)"
}

# Rows committed in [T0, T1) (by written_at; probed_at bounds only help find them).
bench_query_rows_written() {
  bench_sql "
    SELECT count(*) FROM results
    WHERE written_at >= to_timestamp($1) AND written_at < to_timestamp($2)
      AND probed_at >= to_timestamp($1) - interval '10 minutes'"
}

bench_query_top_failures() {
  bench_sql "
    SELECT count(*), status_code, left(error, 100) FROM results
    WHERE probed_at >= to_timestamp($1) AND probed_at < to_timestamp($2) AND status_code <> 200
    GROUP BY 2, 3 ORDER BY 1 DESC LIMIT 5"
}

bench_query_skipped_total() { bench_sql "SELECT coalesce(sum(count), 0) FROM skipped_slots"; }

# True once a result probed at or after T (unix seconds) is committed: results are written in the
# order probes finish, so everything probed before T - a few seconds is in the table by then.
bench_results_written_past() {
  [ "$(bench_sql "SELECT count(*) > 0 FROM (SELECT 1 FROM results WHERE probed_at >= to_timestamp($1) LIMIT 1) r")" = t ]
}

# "name value" lines of FILE as an awk-friendly lookup: bench_field FILE NAME
bench_field() { awk -v n="$2" '$1 == n { print $2; found = 1 } END { if (!found) print 0 }' "$1"; }

bench_ratio() { awk -v a="$1" -v b="$2" -v f="${3:-%.3f}" 'BEGIN { printf f "\n", b ? a / b : 0 }'; }

BENCH_COMPONENT_NAMES=(lokahid healthworker webhookworker nats postgres target)

# bench_report DIR T0 T1: prints the table and the JSON line; returns 3 when too many probes
# failed for the figures to mean anything.
bench_report() {
  local dir="$1" t0="$2" t1="$3" window
  window="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
  local probes not_200 no_answer sched_p50 sched_p99 sched_max write_p50 write_p99
  local window_row rows_written skipped offered per_min rows_per_s error_fraction
  window_row="$(bench_query_window "$t0" "$t1")" || bench_die "could not query the window's results"
  read -r probes not_200 no_answer sched_p50 sched_p99 sched_max write_p50 write_p99 <<<"$window_row"
  rows_written="$(bench_query_rows_written "$t0" "$t1")" || bench_die "could not count rows written"
  skipped=$(($(bench_field "$dir/skipped.t1" total) - $(bench_field "$dir/skipped.t0" total)))
  offered="$(bench_offered_per_minute)"
  per_min="$(awk -v p="$probes" -v w="$window" 'BEGIN { printf "%.0f", p * 60 / w }')"
  rows_per_s="$(awk -v r="$rows_written" -v w="$window" 'BEGIN { printf "%.0f", r / w }')"
  error_fraction="$(bench_ratio "$not_200" "$probes" '%.5f')"
  local in_flight_peak in_flight_mean
  read -r in_flight_peak in_flight_mean < <(bench_in_flight_stats "$dir/in_flight.samples" "$t0" "$t1")
  local busy_pct cores
  cores="$(nproc)"
  busy_pct="$(paste "$dir/machine.t0" "$dir/machine.t1" |
    awk '{ printf "%.0f", (($4 - $2) > 0 ? 100 * ($3 - $1) / ($4 - $2) : 0) }')"
  # The bare-libcurl ceiling measured before the stack started; 0 when it was not.
  local ceiling ceiling_clients ceiling_pct=null
  ceiling="$(bench_field "$dir/ceiling" ceiling_per_min)"
  ceiling_clients="$(bench_field "$dir/ceiling" clients)"
  [ "$ceiling" -eq 0 ] || ceiling_pct="$(awk -v a="$per_min" -v b="$ceiling" 'BEGIN { printf "%.1f", 100 * a / b }')"

  BENCH_TLS_FULL=null BENCH_TLS_RESUMED=null
  [ "$BENCH_TLS" = 0 ] || read -r _ BENCH_TLS_FULL _ BENCH_TLS_RESUMED < <(bench_tls_handshakes "$t0" "$t1")
  {
    echo
    echo "lokahi-cpp throughput benchmark  ($(date -u +%FT%TZ), $(uname -n), $cores cores, build $BENCH_BUILD_TYPE)"
    echo "  checks:   $BENCH_CHECKS, every ${BENCH_EVERY}s (bulk-inserted with SQL, state UP), spread over $BENCH_TARGET_ADDRESSES addresses"
    echo "  target:   $BENCH_TARGET_NAME on 127.0.0.2-127.0.0.$((1 + BENCH_TARGET_ADDRESSES)):$BENCH_TARGET_PORT; healthworkers: $BENCH_WORKERS"
    [ "$BENCH_TLS" = 0 ] || echo "  TLS:      https:// checks; LOKAHI_TLS_RESUME=${LOKAHI_TLS_RESUME:-false} LOKAHI_TLS_FULL_HANDSHAKE_MINUTES=${LOKAHI_TLS_FULL_HANDSHAKE_MINUTES:-10}"
    echo "  window:   ${window}s after ${BENCH_WARMUP}s warm-up; machine busy ${busy_pct}% of $cores cores"
    echo
    printf '  %-34s %14s\n' "offered probes/min" "$offered"
    printf '  %-34s %14s  (%s%% of offered)\n' "completed probes/min (checks_per_min)" "$per_min" \
      "$(awk -v a="$per_min" -v b="$offered" 'BEGIN { printf "%.1f", 100 * a / b }')"
    if [ "$ceiling" -gt 0 ]; then
      printf '  %-34s %14s  (%s bare libcurl clients, same target)\n' "machine ceiling, requests/min" \
        "$ceiling" "$ceiling_clients"
      printf '  %-34s %13s%%\n' "checks_per_min / ceiling" "$ceiling_pct"
    fi
    printf '  %-34s %14s\n' "probes in window" "$probes"
    printf '  %-34s %14s  (no answer: %s)\n' "probes not 200" "$not_200" "$no_answer"
    printf '  %-34s %14s\n' "skipped slots" "$skipped"
    printf '  %-34s %14s\n' "rows written/s" "$rows_per_s"
    printf '  %-34s %14s  p99 %s  max %s\n' "scheduling lag ms (probed-due) p50" "$sched_p50" "$sched_p99" "$sched_max"
    printf '  %-34s %14s  p99 %s\n' "write lag ms (written-probed) p50" "$write_p50" "$write_p99"
    printf '  %-34s %14s  (mean %s)\n' "probes in flight, peak" "$in_flight_peak" "$in_flight_mean"
    if [ "$BENCH_TLS" = 1 ]; then
      printf '  %-34s %14s  resumed %s (nginx, every request in the window)\n' \
        "TLS handshakes, full" "$BENCH_TLS_FULL" "$BENCH_TLS_RESUMED"
    fi
    printf '  %-34s %14s\n' "worker skips: stale / overload" \
      "$(($(bench_field "$dir/workers.t1" skipped_stale) - $(bench_field "$dir/workers.t0" skipped_stale))) / $(($(bench_field "$dir/workers.t1" skipped_overload) - $(bench_field "$dir/workers.t0" skipped_overload)))"
    echo
    printf '  %-14s %12s %12s %14s\n' component "CPU s" "% of 1 core" "peak RSS MB"
    local name ticks seconds
    for name in "${BENCH_COMPONENT_NAMES[@]}"; do
      ticks=$(($(bench_field "$dir/cpu.t1" "$name") - $(bench_field "$dir/cpu.t0" "$name")))
      seconds="$(awk -v t="$ticks" -v hz="$BENCH_CLOCK_TICKS" 'BEGIN { printf "%.1f", t / hz }')"
      printf '  %-14s %12s %12s %14s\n' "$name" "$seconds" \
        "$(awk -v s="$seconds" -v w="$window" 'BEGIN { printf "%.0f%%", 100 * s / w }')" \
        "$(awk -v kb="$(bench_field "$dir/rss.t1" "$name")" 'BEGIN { printf "%.0f", kb / 1024 }')"
    done
    echo "  (postgres: postmaster and all backends; its peak RSS counts shared buffers once per backend)"
    echo
  } >&2

  if [ "$not_200" -gt 0 ]; then
    echo "  most common failures (count, status, error):" >&2
    bench_query_top_failures "$t0" "$t1" | sed 's/^/    /' >&2
  fi

  bench_json "$window" "$offered" "$per_min" "$probes" "$not_200" "$no_answer" "$skipped" \
    "$rows_per_s" "$sched_p50" "$sched_p99" "$sched_max" "$write_p50" "$write_p99" \
    "$in_flight_peak" "$in_flight_mean" "$busy_pct" "$cores" "$dir" "$ceiling" "$ceiling_pct"

  BENCH_RESULT_PROBES="$probes" BENCH_RESULT_PER_MIN="$per_min"
  if awk -v f="$error_fraction" 'BEGIN { exit !(f > 0.01) }'; then
    {
      echo
      echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
      echo "!! $not_200 of $probes probes ($(awk -v f="$error_fraction" 'BEGIN { printf "%.2f", 100 * f }')%) did not get a 200."
      echo "!! A benchmark of failing probes measures nothing: see the failures above and"
      echo "!! the logs in $BENCH_DATA_DIR/logs (run with --keep to keep them)."
      echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    } >&2
    return 3
  fi
}

# One line of JSON on stdout; figures per component are CPU seconds in the window and peak RSS.
bench_json() {
  local window="$1" offered="$2" per_min="$3" probes="$4" not_200="$5" no_answer="$6"
  local skipped="$7" rows_per_s="$8" sched_p50="$9" sched_p99="${10}" sched_max="${11}"
  local write_p50="${12}" write_p99="${13}" flight_peak="${14}" flight_mean="${15}"
  local busy_pct="${16}" cores="${17}" dir="${18}" ceiling="${19}" ceiling_pct="${20}"
  local name ticks cpu="" rss=""
  [ "$ceiling" -gt 0 ] || ceiling=null
  for name in "${BENCH_COMPONENT_NAMES[@]}"; do
    ticks=$(($(bench_field "$dir/cpu.t1" "$name") - $(bench_field "$dir/cpu.t0" "$name")))
    cpu+="$(awk -v n="$name" -v t="$ticks" -v hz="$BENCH_CLOCK_TICKS" 'BEGIN { printf "\"%s\":%.2f,", n, t / hz }')"
    rss+="$(awk -v n="$name" -v kb="$(bench_field "$dir/rss.t1" "$name")" 'BEGIN { printf "\"%s\":%.1f,", n, kb / 1024 }')"
  done
  printf '{"bench":"throughput","checks":%s,"every_s":%s,"workers":%s,"latency_ms":%s,"smoke":%s,' \
    "$BENCH_CHECKS" "$BENCH_EVERY" "$BENCH_WORKERS" "$BENCH_LATENCY_MS" \
    "$([ "$BENCH_SMOKE" = 1 ] && echo true || echo false)"
  printf '"tls":%s,"tls_resume":"%s",' "$([ "$BENCH_TLS" = 1 ] && echo true || echo false)" \
    "${LOKAHI_TLS_RESUME:-false}"
  printf '"tls_full_handshakes":%s,"tls_resumed_handshakes":%s,' "$BENCH_TLS_FULL" "$BENCH_TLS_RESUMED"
  printf '"checks_bulk_inserted":true,"build_type":"%s","cores":%s,"window_s":%s,"warmup_s":%s,' \
    "$BENCH_BUILD_TYPE" "$cores" "$window" "$BENCH_WARMUP"
  printf '"offered_per_min":%s,"checks_per_min":%s,"probes":%s,"probes_not_200":%s,"probes_no_answer":%s,' \
    "$offered" "$per_min" "$probes" "$not_200" "$no_answer"
  printf '"skipped_slots":%s,"rows_written_per_s":%s,"sched_lag_p50_ms":%s,"sched_lag_p99_ms":%s,' \
    "$skipped" "$rows_per_s" "$sched_p50" "$sched_p99"
  printf '"sched_lag_max_ms":%s,"write_lag_p50_ms":%s,"write_lag_p99_ms":%s,' \
    "$sched_max" "$write_p50" "$write_p99"
  printf '"in_flight_peak":%s,"in_flight_mean":%s,"machine_busy_pct":%s,' \
    "$flight_peak" "$flight_mean" "$busy_pct"
  printf '"ceiling_per_min":%s,"pct_of_ceiling":%s,' "$ceiling" "$ceiling_pct"
  printf '"cpu_s":{%s},"peak_rss_mb":{%s}}\n' "${cpu%,}" "${rss%,}"
}
