# shellcheck shell=bash
# The machine's ceiling for the run: before the stack starts, one bare libcurl client
# (bench/probe/curl_ceiling) per core probes the same target for a few seconds. The pipeline's
# rate is then also stated as a share of what this machine offered in the same hour, because its
# speed varies by tens of per cent from day to day.

#
# With --tls the clients make the same https:// requests as the workers, trusting the same CA, each
# with a full handshake (no session reuse): the ceiling of HTTPS probing with full handshakes.

# bench_measure_ceiling FILE SECONDS PORT: writes "ceiling_per_min N" and "clients K" to FILE, or
# nothing when SECONDS is 0 or in latency mode (a delayed answer measures the delay).
bench_measure_ceiling() {
  local file="$1" seconds="$2" port="$3" clients i pids=() total=0 rate tls=()
  : >"$file"
  [ "$seconds" -gt 0 ] && [ "$BENCH_LATENCY_MS" -eq 0 ] || return 0
  local binary="$LOKAHI_BUILD_DIR/bench/probe/curl_ceiling"
  [ -x "$binary" ] || bench_die "$binary is not built (ninja -C $LOKAHI_BUILD_DIR curl_ceiling)"
  [ "$BENCH_TLS" = 0 ] || tls=(--tls "$BENCH_TLS_CA")
  clients="$(nproc)"
  bench_log "measuring the machine's ceiling: $clients bare libcurl clients ($(bench_scheme)) for ${seconds}s"
  for ((i = 0; i < clients; i++)); do
    "$binary" "${tls[@]}" "$port" "$seconds" 1000 "$BENCH_TARGET_ADDRESSES" >"$file.$i" &
    pids+=("$!")
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || bench_die "curl_ceiling failed: $(cat "$file.$i")"
    rate="$(sed -n 's/.*"requests_per_s":\([0-9]*\).*/\1/p' "$file.$i")"
    total=$((total + ${rate:-0}))
  done
  rm -f "$file".*
  printf 'ceiling_per_min %s\nclients %s\n' $((total * 60)) "$clients" >"$file"
  bench_log "ceiling: $((total * 60)) requests/min"
}
