# shellcheck shell=bash
# Starting, finding and stopping the stack's processes through pid files in $LOKAHI_RUN_DIR.
# A pid file alone is not trusted: the pid must be alive and still run the binary it was started
# from, so a pid reused by an unrelated process after a reboot is never signalled.

pid_file() { echo "$LOKAHI_RUN_DIR/$1.pid"; }

# True when `pid` is alive (not a zombie) and runs `binary` (an absolute path).
pid_runs_binary() {
  local pid="$1" binary="$2" exe state
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [ "$state" != "Z" ] || return 1
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
  exe="${exe% (deleted)}"  # the binary was rebuilt while this process ran
  [ "$exe" = "$(readlink -f "$binary")" ]
}

# Prints the pid of component `name` when it is running `binary`; fails otherwise.
running_pid() {
  local name="$1" binary="$2" file pid
  file="$(pid_file "$name")"
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  pid_runs_binary "$pid" "$binary" || return 1
  echo "$pid"
}

# The binary a pid file's process was started from, recorded beside it so `down` can verify it
# even for components the current settings no longer name.
recorded_binary() { cat "$LOKAHI_RUN_DIR/$1.binary" 2>/dev/null; }

# start_process NAME BINARY COMMAND…: runs COMMAND (which execs BINARY, possibly through `env`)
# in its own session, so closing the terminal or Ctrl-C in it does not reach the daemon; output is
# appended to logs/NAME.log.
start_process() {
  local name="$1" binary="$2"
  shift 2
  local log="$LOKAHI_LOG_DIR/$name.log"
  echo "--- $(date -u +%FT%TZ) starting $binary" >>"$log"
  # Not a process-group leader in a non-interactive shell, so setsid does not fork: $! is the
  # daemon's own pid once exec completes.
  (cd "$LOKAHI_DATA_DIR" && exec setsid "$@" >>"$log" 2>&1 </dev/null) &
  local pid="$!" tries=0
  echo "$pid" >"$(pid_file "$name")"
  echo "$binary" >"$LOKAHI_RUN_DIR/$name.binary"
  # Until exec completes, the pid still runs bash; wait (briefly) so later checks see the daemon.
  while [ -d "/proc/$pid" ] && ! pid_runs_binary "$pid" "$binary" && [ "$tries" -lt 50 ]; do
    sleep 0.05
    tries=$((tries + 1))
  done
}

# stop_process NAME: SIGTERM, then SIGKILL to its whole session after $LOKAHI_STOP_TIMEOUT s.
stop_process() {
  local name="$1" binary pid waited=0
  binary="$(recorded_binary "$name")"
  if [ -z "$binary" ] || ! pid="$(running_pid "$name" "$binary")"; then
    rm -f "$(pid_file "$name")" "$LOKAHI_RUN_DIR/$name.binary"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  while pid_runs_binary "$pid" "$binary" && [ "$waited" -lt $((LOKAHI_STOP_TIMEOUT * 10)) ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  if pid_runs_binary "$pid" "$binary"; then
    echo "warning: $name (pid $pid) did not stop within ${LOKAHI_STOP_TIMEOUT}s of SIGTERM; killing it" >&2
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    waited=0
    while pid_runs_binary "$pid" "$binary" && [ "$waited" -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
  fi
  echo "stopped $name (pid $pid)"
  rm -f "$(pid_file "$name")" "$LOKAHI_RUN_DIR/$name.binary"
}

port_accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# HTTP status of a GET, or 000 when nothing answered.
http_status() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true
}

log_tail() {
  local log="$LOKAHI_LOG_DIR/$1.log"
  [ -f "$log" ] && { echo "--- last lines of $log:"; tail -n 20 "$log"; } >&2
}

# wait_ready NAME BINARY PORT [HEALTHZ_PORT]: until PORT (if non-zero) accepts and HEALTHZ_PORT's
# /healthz (if given) answers 200. Fails at once when the process dies, else after
# $LOKAHI_START_TIMEOUT seconds, showing the log or the /healthz reason.
wait_ready() {
  local name="$1" binary="$2" port="$3" healthz_port="${4:-}"
  local deadline=$((SECONDS + LOKAHI_START_TIMEOUT)) pid status reason=""
  while true; do
    if ! pid="$(running_pid "$name" "$binary")"; then
      echo "error: $name exited during start-up" >&2
      log_tail "$name"
      return 1
    fi
    if [ "$port" = 0 ] || port_accepts "$port"; then
      [ -n "$healthz_port" ] || return 0
      status="$(http_status "http://127.0.0.1:$healthz_port/healthz")"
      [ "$status" = 200 ] && return 0
      if [ "$status" = 000 ]; then
        reason="nothing answers on its metrics port $healthz_port"
      else
        reason="$(curl -s --max-time 2 "http://127.0.0.1:$healthz_port/healthz" 2>/dev/null || true)"
      fi
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "error: $name (pid $pid) not ready after ${LOKAHI_START_TIMEOUT}s${reason:+: $reason}" >&2
      log_tail "$name"
      return 1
    fi
    sleep 0.2
  done
}
