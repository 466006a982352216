# shellcheck shell=bash
# shellcheck disable=SC2034  # its settings are read by the files that source this one
# CPU time and peak memory of the processes under test, read from /proc.
#
# A component is one or more root processes and their direct children: Postgres is the postmaster
# and every backend; nginx its master and worker. CPU of a component = the roots' own time plus
# the time of children that already exited (cutime/cstime, collected when the root reaped them)
# plus the time of children alive now. Deltas of that sum over the window count every process
# that ran in it, even one that came and went.

BENCH_CLOCK_TICKS="$(getconf CLK_TCK)"

# Component names and their root pids, one "name pid…" line each.
bench_components() {
  local run="$BENCH_DATA_DIR/run" pids
  echo "lokahid $(cat "$run/lokahid.pid" 2>/dev/null)"
  pids="$(cat "$run"/healthworker*.pid 2>/dev/null | tr '\n' ' ')"
  echo "healthworker $pids"
  pids="$(cat "$run"/webhookworker*.pid 2>/dev/null | tr '\n' ' ')"
  echo "webhookworker $pids"
  echo "nats $(cat "$run/nats.pid" 2>/dev/null)"
  echo "postgres $(head -n 1 "$BENCH_DATA_DIR/postgres/data/postmaster.pid" 2>/dev/null)"
  echo "target $BENCH_TARGET_PID $BENCH_DELAY_PID"
}

# Clock ticks of one process: utime+stime (+ cutime+cstime with "with_reaped").
bench_process_ticks() {
  # Fields after the command name (which may hold spaces): utime is the 12th, stime 13th, …
  sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null |
    awk -v reaped="$2" '{ t = $12 + $13; if (reaped == "with_reaped") t += $14 + $15; print t }'
}

bench_component_ticks() {
  local total=0 root child ticks
  for root in "$@"; do
    ticks="$(bench_process_ticks "$root" with_reaped)"
    total=$((total + ${ticks:-0}))
    for child in $(bench_child_pids "$root"); do
      ticks="$(bench_process_ticks "$child" own)"
      total=$((total + ${ticks:-0}))
    done
  done
  echo "$total"
}

# Sum of VmHWM (peak resident set, kB) of the roots and their children. For Postgres this counts
# shared buffers once per process that touched them, so it overstates the real footprint.
bench_component_peak_rss_kb() {
  local total=0 root pid kb
  for root in "$@"; do
    for pid in "$root" $(bench_child_pids "$root"); do
      kb="$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null)"
      total=$((total + ${kb:-0}))
    done
  done
  echo "$total"
}

# Writes "name ticks" for every component to FILE.
bench_snapshot_cpu() {
  local name pids
  while read -r name pids; do
    # shellcheck disable=SC2086  # pids is a list
    echo "$name $(bench_component_ticks $pids)"
  done < <(bench_components) >"$1"
}

bench_snapshot_peak_rss() {
  local name pids
  while read -r name pids; do
    # shellcheck disable=SC2086
    echo "$name $(bench_component_peak_rss_kb $pids)"
  done < <(bench_components) >"$1"
}

# "busy total" jiffies of the whole machine (all cores) from /proc/stat: user nice system idle
# iowait irq softirq steal (guest time is already inside user).
bench_snapshot_machine() {
  awk '/^cpu / { total = 0; for (i = 2; i <= 9; i++) total += $i; print total - $5 - $6, total }' /proc/stat >"$1"
}
