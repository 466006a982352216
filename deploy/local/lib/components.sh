# shellcheck shell=bash
# The stack's own daemons, in start order, and how each is run. Postgres and nats-server come
# first and are handled apart (postgres.sh, and nats_* below).

# Instance names: the first worker is plain "healthworker", more are "healthworker-2", ….
component_names() {
  local i
  echo lokahid
  for ((i = 1; i <= LOKAHI_HEALTHWORKERS; i++)); do instance_name healthworker "$i"; done
  for ((i = 1; i <= LOKAHI_WEBHOOKWORKERS; i++)); do instance_name webhookworker "$i"; done
  echo sample_hook
  echo duke-of-york
}

instance_name() { if [ "$2" -eq 1 ]; then echo "$1"; else echo "$1-$2"; fi; }
instance_number() { case "$1" in *-[0-9]*) echo "${1##*-}" ;; *) echo 1 ;; esac; }

component_binary() {
  case "$1" in
    lokahid) echo "$LOKAHI_BUILD_DIR/lokahid/lokahid" ;;
    healthworker*) echo "$LOKAHI_BUILD_DIR/healthworker/healthworker" ;;
    webhookworker*) echo "$LOKAHI_BUILD_DIR/webhookworker/webhookworker" ;;
    sample_hook) echo "$LOKAHI_BUILD_DIR/receivers/sample_hook" ;;
    duke-of-york) echo "$LOKAHI_BUILD_DIR/receivers/duke-of-york" ;;
    *) return 1 ;;
  esac
}

# The port a component serves its work on; 0 for workers, which only connect out.
component_port() {
  case "$1" in
    lokahid) echo "$LOKAHID_PORT" ;;
    sample_hook) echo "$LOKAHI_SAMPLE_HOOK_PORT" ;;
    duke-of-york) echo "$LOKAHI_DUKE_PORT" ;;
    *) echo 0 ;;
  esac
}

# The /metrics and /healthz port; empty for the receivers, which have none.
component_metrics_port() {
  case "$1" in
    lokahid) echo "$LOKAHID_METRICS_PORT" ;;
    healthworker*) healthworker_metrics_port "$(instance_number "$1")" ;;
    webhookworker*) webhookworker_metrics_port "$(instance_number "$1")" ;;
    *) echo "" ;;
  esac
}

# The environment a component starts with, one VAR=value per line. Settings the operator
# exported (e.g. LOKAHI_MAX_IN_FLIGHT) pass through unchanged; these only add the stack's wiring.
component_env() {
  local name="$1"
  case "$name" in
    lokahid | healthworker* | webhookworker*)
      echo "DATABASE_URL=$(database_url)"
      echo "NATS_URL=nats://lokahi:$(nats_password)@127.0.0.1:$LOKAHI_NATS_PORT"
      echo "LOKAHI_METRICS_PORT=$(component_metrics_port "$name")"
      ;;
  esac
  case "$name" in
    lokahid)
      echo "USERPASS=$(stack_userpass)"
      echo "PORT=$LOKAHID_PORT"
      echo "LOKAHI_MIN_EVERY=${LOKAHI_MIN_EVERY:-10}"
      ;;
    healthworker*)
      # Canaries: a worker that cannot reach these judges its own path impaired and steps aside.
      # On one box they are local; on a real network list targets outside it (README).
      echo "LOKAHI_CANARY_URLS=${LOKAHI_CANARY_URLS:-http://127.0.0.1:$LOKAHI_SAMPLE_HOOK_PORT/,http://127.0.0.1:$LOKAHI_NATS_MONITOR_PORT/healthz}"
      ;;
    webhookworker*) echo "LOKAHI_WEBHOOK_SECRET=$(stack_webhook_secret)" ;;
    sample_hook) echo "PORT=$LOKAHI_SAMPLE_HOOK_PORT" ;;
    duke-of-york)
      echo "PORT=$LOKAHI_DUKE_PORT"
      echo "DUKE_PERIOD=$DUKE_PERIOD"
      ;;
  esac
}

# The API's user:password: $USERPASS when exported, else one generated at first start.
stack_userpass() {
  if [ -n "${USERPASS:-}" ]; then echo "$USERPASS"; else cat "$LOKAHI_SECRETS_DIR/userpass"; fi
}
stack_webhook_secret() {
  if [ -n "${LOKAHI_WEBHOOK_SECRET:-}" ]; then
    echo "$LOKAHI_WEBHOOK_SECRET"
  else
    cat "$LOKAHI_SECRETS_DIR/webhook.secret"
  fi
}

random_token() { head -c "$1" /dev/urandom | base64 | tr -d '/+=\n'; }

# Secrets are made once and kept, so restarts and `up` twice keep the same credentials.
ensure_secrets() {
  mkdir -p "$LOKAHI_SECRETS_DIR"
  chmod 700 "$LOKAHI_SECRETS_DIR"
  (
    umask 077
    [ -s "$LOKAHI_SECRETS_DIR/postgres.password" ] || random_token 24 >"$LOKAHI_SECRETS_DIR/postgres.password"
    [ -s "$LOKAHI_SECRETS_DIR/userpass" ] || echo "lokahi:$(random_token 18)" >"$LOKAHI_SECRETS_DIR/userpass"
    # nats-server requires it of every client; letters and digits only, so it fits in a URL.
    [ -s "$LOKAHI_SECRETS_DIR/nats.password" ] || random_token 24 >"$LOKAHI_SECRETS_DIR/nats.password"
    # Standard Webhooks form: whsec_ and the base64 of the key bytes.
    [ -s "$LOKAHI_SECRETS_DIR/webhook.secret" ] || echo "whsec_$(head -c 32 /dev/urandom | base64 -w0)" >"$LOKAHI_SECRETS_DIR/webhook.secret"
  )
}

nats_binary() { command -v nats-server || echo /usr/bin/nats-server; }
nats_password() { cat "$LOKAHI_SECRETS_DIR/nats.password"; }

# nats-server's configuration: loopback only, and a user and password every client must give
# (kept in a file, not on the command line where any local user could read it).
nats_write_config() {
  (
    umask 077
    cat >"$LOKAHI_SECRETS_DIR/nats.conf" <<EOF
listen: 127.0.0.1:$LOKAHI_NATS_PORT
http: 127.0.0.1:$LOKAHI_NATS_MONITOR_PORT
authorization {
  user: lokahi
  password: "$(nats_password)"
}
EOF
  )
}

nats_start() {
  local pid binary
  binary="$(nats_binary)"
  if pid="$(running_pid nats "$binary")"; then
    echo "nats already running (pid $pid, port $LOKAHI_NATS_PORT)"
    return 0
  fi
  [ -x "$binary" ] || { echo "error: nats-server not installed (run scripts/install-deps)" >&2; return 1; }
  nats_write_config
  start_process nats "$binary" "$binary" -c "$LOKAHI_SECRETS_DIR/nats.conf"
  wait_ready nats "$binary" "$LOKAHI_NATS_PORT" "$LOKAHI_NATS_MONITOR_PORT" || return 1
  echo "started nats (pid $(running_pid nats "$binary"), port $LOKAHI_NATS_PORT, monitoring http://127.0.0.1:$LOKAHI_NATS_MONITOR_PORT/)"
}

# start_component NAME: starts it unless running; skips (with a warning) a binary not built yet.
start_component() {
  local name="$1" binary pid env_lines
  binary="$(component_binary "$name")"
  if [ ! -x "$binary" ]; then
    echo "warning: skipping $name: $binary is not built (yet)" >&2
    return 0
  fi
  if pid="$(running_pid "$name" "$binary")"; then
    echo "$name already running (pid $pid)"
    return 0
  fi
  mapfile -t env_lines < <(component_env "$name")
  # Exported rather than passed to env(1), so passwords never appear in a command line (ps).
  (
    export "${env_lines[@]}"
    start_process "$name" "$binary" "$binary"
  )
  wait_ready "$name" "$binary" "$(component_port "$name")" "$(component_metrics_port "$name")" || return 1
  echo "started $name (pid $(running_pid "$name" "$binary")$(describe_ports "$name"))"
}

describe_ports() {
  local port metrics
  port="$(component_port "$1")"
  metrics="$(component_metrics_port "$1")"
  [ "$port" = 0 ] || printf ', port %s' "$port"
  [ -z "$metrics" ] || printf ', metrics %s' "$metrics"
}
