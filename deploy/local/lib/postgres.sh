# shellcheck shell=bash
# The stack's private Postgres cluster in $LOKAHI_PG_DIR/data, on its own port and socket
# directory, reachable over TCP on 127.0.0.1 only with a generated password. As root it runs as
# the postgres user, since initdb and postgres refuse root.

pg_bin_dir() {
  local dir
  dir="$(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  [ -x "$dir/pg_ctl" ] || { echo "error: no Postgres server under /usr/lib/postgresql (run scripts/install-deps)" >&2; return 1; }
  echo "$dir"
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}

pg_data() { echo "$LOKAHI_PG_DIR/data"; }
pg_password() { cat "$LOKAHI_SECRETS_DIR/postgres.password"; }
database_url() {
  echo "postgresql://postgres:$(pg_password)@127.0.0.1:$LOKAHI_PG_PORT/$LOKAHI_DATABASE_NAME"
}

# The postmaster's pid when this cluster runs; fails otherwise.
pg_running_pid() {
  local pid_file pid
  pid_file="$(pg_data)/postmaster.pid"
  [ -f "$pid_file" ] || return 1
  pid="$(head -n 1 "$pid_file")"
  pid_runs_binary "$pid" "$(pg_bin_dir)/postgres" || return 1
  echo "$pid"
}

pg_init() {
  [ -f "$(pg_data)/PG_VERSION" ] && return 0
  local bin
  bin="$(pg_bin_dir)" || return 1
  mkdir -p "$LOKAHI_PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "error: user postgres missing (install the postgresql package)" >&2; return 1; }
    chown postgres:postgres "$LOKAHI_PG_DIR"
    if ! setpriv --reuid=postgres --regid=postgres --init-groups -- test -w "$LOKAHI_PG_DIR"; then
      echo "error: the postgres user cannot reach $LOKAHI_PG_DIR; pick a LOKAHI_DATA_DIR whose parent directories others may traverse (e.g. /var/lib/lokahi)" >&2
      return 1
    fi
  fi
  local pwfile="$LOKAHI_PG_DIR/initdb.pw"
  (umask 077 && pg_password >"$pwfile")
  [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$pwfile"
  echo "initialising Postgres cluster in $(pg_data)"
  if ! as_postgres env LC_ALL=C.UTF-8 "$bin/initdb" -D "$(pg_data)" -U postgres -E UTF8 \
      -A scram-sha-256 --pwfile="$pwfile" >"$LOKAHI_LOG_DIR/initdb.log" 2>&1; then
    rm -f "$pwfile"
    echo "error: initdb failed; see $LOKAHI_LOG_DIR/initdb.log" >&2
    tail -n 20 "$LOKAHI_LOG_DIR/initdb.log" >&2
    return 1
  fi
  rm -f "$pwfile"
}

# Postgres's defaults (128 MB of shared buffers, a checkpoint every 1 GB of WAL) are sized for a
# laptop: with a million checks the state table and the results index no longer fit, and every
# result row costs twice the CPU (measured: 131 vs 58 us a row, bench/README.md). A quarter of
# the memory up to 2 GB, as Postgres's own tuning advice says; LOKAHI_PG_OPTIONS overrides it.
pg_tuning_options() {
  local mem_kb shared_mb
  mem_kb="$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)"
  shared_mb=$((mem_kb / 4 / 1024))
  [ "$shared_mb" -le 2048 ] || shared_mb=2048
  [ "$shared_mb" -ge 128 ] || shared_mb=128
  echo "-c shared_buffers=${shared_mb}MB -c max_wal_size=4GB -c checkpoint_timeout=15min"
}

pg_start() {
  local bin log="$LOKAHI_LOG_DIR/postgres.log" pid
  bin="$(pg_bin_dir)" || return 1
  if pid="$(pg_running_pid)"; then
    echo "postgres already running (pid $pid, port $LOKAHI_PG_PORT)"
    return 0
  fi
  mkdir -p "$LOKAHI_PG_DIR/socket"
  touch "$log"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$LOKAHI_PG_DIR/socket" "$log"; fi
  # Room for every daemon's pool with several workers; the options below keep it private.
  # shellcheck disable=SC2086  # LOKAHI_PG_OPTIONS is a list of server options
  if ! as_postgres "$bin/pg_ctl" -D "$(pg_data)" -l "$log" -w -t "$LOKAHI_START_TIMEOUT" \
      -o "-p $LOKAHI_PG_PORT -k $LOKAHI_PG_DIR/socket -c listen_addresses=127.0.0.1 -c max_connections=300 $(pg_tuning_options) $LOKAHI_PG_OPTIONS" \
      start >/dev/null; then
    echo "error: Postgres did not start" >&2
    tail -n 20 "$log" >&2
    return 1
  fi
  echo "started postgres (pid $(pg_running_pid), port $LOKAHI_PG_PORT)"
}

pg_ensure_database() {
  local bin exists
  bin="$(pg_bin_dir)" || return 1
  exists="$(PGPASSWORD="$(pg_password)" "$bin/psql" -h 127.0.0.1 -p "$LOKAHI_PG_PORT" -U postgres \
    -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$LOKAHI_DATABASE_NAME'")" || {
    echo "error: cannot query Postgres on port $LOKAHI_PG_PORT" >&2
    return 1
  }
  [ "$exists" = 1 ] && return 0
  PGPASSWORD="$(pg_password)" "$bin/createdb" -h 127.0.0.1 -p "$LOKAHI_PG_PORT" -U postgres \
    "$LOKAHI_DATABASE_NAME"
}

pg_stop() {
  local bin pid
  bin="$(pg_bin_dir)" || return 1
  pid="$(pg_running_pid)" || return 0
  # fast: roll back open transactions and shut down cleanly (checkpoint), without waiting for
  # clients to disconnect.
  if ! as_postgres "$bin/pg_ctl" -D "$(pg_data)" -m fast -w -t "$LOKAHI_STOP_TIMEOUT" stop >/dev/null; then
    echo "warning: Postgres did not stop cleanly within ${LOKAHI_STOP_TIMEOUT}s; stopping it immediately" >&2
    as_postgres "$bin/pg_ctl" -D "$(pg_data)" -m immediate -w stop >/dev/null || true
  fi
  # pg_ctl returns once the pid file is gone; the postmaster exits a moment later.
  local waited=0
  while pid_runs_binary "$pid" "$bin/postgres" && [ "$waited" -lt 100 ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  echo "stopped postgres (pid $pid)"
}
