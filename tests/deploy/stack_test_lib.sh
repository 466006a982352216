# shellcheck shell=bash disable=SC2154  # the caller sets source_dir, binary_dir, deploy, data_parent
# Helpers for stack_test.sh; expects source_dir, binary_dir, deploy and the LOKAHI_* settings.

fail() {
  echo "FAIL: $*" >&2
  if [ -d "${LOKAHI_DATA_DIR:-}/logs" ]; then
    for log in "$LOKAHI_DATA_DIR"/logs/*.log; do
      echo "--- $log" >&2
      tail -n 15 "$log" >&2
    done
  fi
  exit 1
}

last_log=""
# Runs a command, keeping its output in a file for later greps and echoing it for ctest's log.
run_logged() {
  last_log="$(mktemp "$data_parent/cmd-XXXXXX.log")"
  local rc=0
  "$@" >"$last_log" 2>&1 || rc=$?
  sed 's/^/  | /' "$last_log"
  return "$rc"
}

port_accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A base with its 60 ports free, chosen at random so parallel test runs do not collide, and below
# the kernel's ephemeral range: there an outgoing connection may hold a port by the time a
# daemon binds it.
free_port_base() {
  local base offset busy ephemeral_low slots
  ephemeral_low="$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
  slots=$(((ephemeral_low - 10000) / 100 - 1))
  [ "$slots" -gt 0 ] || { echo "the ephemeral port range starts too low ($ephemeral_low)" >&2; return 1; }
  for _ in $(seq 1 30); do
    base=$((10000 + (RANDOM % slots) * 100))
    busy=0
    for offset in $(seq 0 59); do
      if port_accepts $((base + offset)); then busy=1; break; fi
    done
    [ "$busy" = 1 ] || { echo "$base"; return 0; }
  done
  echo "no free range of 60 ports found" >&2
  return 1
}

binary_of() {
  case "$1" in
    lokahid) echo "$binary_dir/lokahid/lokahid" ;;
    healthworker) echo "$binary_dir/healthworker/healthworker" ;;
    webhookworker) echo "$binary_dir/webhookworker/webhookworker" ;;
    sample_hook | duke-of-york) echo "$binary_dir/receivers/$1" ;;
    *) echo "$binary_dir/$1" ;;
  esac
}
built() { [ -x "$(binary_of "$1")" ]; }

# Pids of everything the stack runs: the pid files, and the postmaster.
stack_pids() {
  {
    cat "$LOKAHI_DATA_DIR"/run/*.pid 2>/dev/null || true
    head -n 1 "$LOKAHI_DATA_DIR/postgres/data/postmaster.pid" 2>/dev/null || true
  } | sort -n | tr '\n' ' '
}

expect_component_state() {
  local component="$1" state="$2" line
  line="$("$deploy/status" 2>&1 | awk -v c="$component" '$1 == c' || true)"
  [[ "$line" == "$component"*" $state "* ]] || fail "status shows '$line' for $component, expected $state"
}

demo_check_count() {
  local userpass listing
  userpass="$(cat "$LOKAHI_DATA_DIR/secrets/userpass")"
  listing="$("$(binary_of lokahictl/lokahictl)" \
    --server "http://$userpass@127.0.0.1:$((LOKAHI_PORT_BASE + 3))" list --count 1000)" ||
    fail "lokahictl list failed: $listing"
  grep -cE "\"url\": *\"http://127\\.0\\.0\\.1:$((LOKAHI_PORT_BASE + 21))/?\"" <<<"$listing" || true
}

wait_for_log_line() {
  local component="$1" pattern="$2" deadline=$((SECONDS + $3))
  while [ "$SECONDS" -lt "$deadline" ]; do
    grep -q -- "$pattern" "$LOKAHI_DATA_DIR/logs/$component.log" 2>/dev/null && return 0
    sleep 1
  done
  return 1
}

# Pids whose working directory is inside the data dir: every daemon up starts (it runs them from
# there) and Postgres (which works in its data directory).
processes_in_data_dir() {
  local proc cwd
  for proc in /proc/[0-9]*; do
    cwd="$(readlink "$proc/cwd" 2>/dev/null)" || continue
    case "$cwd" in "$LOKAHI_DATA_DIR" | "$LOKAHI_DATA_DIR"/*) echo "${proc#/proc/}" ;; esac
  done
}

alive() {
  [ -d "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || echo Z)" != Z ]
}

# After down: no recorded pid lives, nothing works in the data dir, status says stopped (exit 3).
expect_all_stopped() {
  local pid leftovers status_rc=0
  for pid in $recorded_pids; do
    # A process may still be tearing down for a moment after it stopped serving.
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      fail "process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)) survived down"
    fi
  done
  leftovers="$(processes_in_data_dir)"
  [ -z "$leftovers" ] || fail "processes still work in the data dir after down: $leftovers"
  "$deploy/status" >"$data_parent/status.txt" 2>&1 || status_rc=$?
  [ "$status_rc" = 3 ] || fail "status after down exits $status_rc, expected 3"
  ! grep -q " running " "$data_parent/status.txt" || fail "status after down still shows running parts"
}
