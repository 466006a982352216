# shellcheck shell=bash
# The machine's ceiling for the run: before the stack starts, one bare libcurl client
# (bench/probe/curl_ceiling) per core probes the same target for a few seconds. The pipeline's
# rate is then also stated as a share of what this machine offered in the same hour, because its
# speed varies by tens of per cent from day to day.

# bench_measure_ceiling FILE SECONDS PORT: writes "ceiling_per_min N" and "clients K" to FILE, or
# nothing when SECONDS is 0 or the target is not nginx (a delayed answer measures the delay).
bench_measure_ceiling() {
  local file="$1" seconds="$2" port="$3" clients i pids=() total=0 rate
  : >"$file"
  [ "$seconds" -gt 0 ] && [ "$BENCH_TARGET_NAME" = nginx ] || return 0
  local binary="$LOKAHI_BUILD_DIR/bench/probe/curl_ceiling"
  [ -x "$binary" ] || bench_die "$binary is not built (ninja -C $LOKAHI_BUILD_DIR curl_ceiling)"
  clients="$(nproc)"
  bench_log "measuring the machine's ceiling: $clients bare libcurl clients for ${seconds}s"
  for ((i = 0; i < clients; i++)); do
    "$binary" "$port" "$seconds" 1000 "$BENCH_TARGET_ADDRESSES" >"$file.$i" &
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
