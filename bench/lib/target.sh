# shellcheck shell=bash
# shellcheck disable=SC2034  # its settings are read by the files that source this one
# The HTTP target every check probes: nginx (answers at once) or bench's own delay_target (answers
# after --latency-ms). Either listens on the same port of 200 loopback addresses, 127.0.0.2 to
# 127.0.0.201, so probes model distinct hosts, each with a fresh connection.
#
# With --tls (BENCH_TLS=1, see tls.sh) nginx terminates TLS on those addresses with a certificate
# from the run's throwaway CA; in latency mode it then proxies each request to delay_target on
# 127.0.0.1 (port + 1), which answers after the delay.

BENCH_TARGET_ADDRESSES="${BENCH_TARGET_ADDRESSES:-200}"
BENCH_TARGET_PID=""
BENCH_DELAY_PID=""  # delay_target, in latency mode (behind nginx with --tls)

# The URL of check number i (1-based): spread round-robin over the addresses.
# (The SQL in checks.sh builds the same URLs; this is for messages and the readiness probe.)
bench_target_url() { echo "$(bench_scheme)://127.0.0.$((2 + ($1 - 1) % BENCH_TARGET_ADDRESSES)):$BENCH_TARGET_PORT/"; }

# bench_write_nginx_config DIR PORT [BACKEND_PORT]: with BACKEND_PORT, every request is proxied to
# delay_target there instead of answered by nginx.
bench_write_nginx_config() {
  local dir="$1" port="$2" backend_port="${3:-}" i user_line="" ssl="" connections=16384
  # Proxied, each probe also holds a connection to the backend.
  [ -z "$backend_port" ] || connections=32768
  mkdir -p "$dir/temp"
  # As root nginx would switch its worker to "nobody", which cannot use this directory.
  [ "$(id -u)" -ne 0 ] || user_line="user root;"
  {
    cat <<CONF
# Written by bench/throughput: the cheapest possible answer, one worker, no logs.
$user_line
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
worker_rlimit_nofile $((connections + 4000));
events {
  worker_connections $connections;
  multi_accept on;
}
http {
  access_log off;
  keepalive_timeout 0;
  client_body_temp_path $dir/temp/body;
  proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi;
  uwsgi_temp_path $dir/temp/uwsgi;
  scgi_temp_path $dir/temp/scgi;
  log_format bench_tls '\$msec \$ssl_session_reused';
  server {
CONF
    if [ "$BENCH_TLS" = 1 ]; then
      ssl=" ssl"
      # Sessions can be resumed as on a typical public site: tickets (nginx's default) and a
      # shared cache for clients that resume by id. Whether a probe resumes is the client's choice.
      cat <<CONF
    ssl_certificate $BENCH_TLS_CERT;
    ssl_certificate_key $BENCH_TLS_KEY;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:bench:50m;
    ssl_session_timeout 1h;
    ssl_session_tickets on;
    # One short line per request, so the report can count full and resumed handshakes.
    access_log $dir/tls.log bench_tls buffer=256k flush=2s;
CONF
    fi
    # deferred (TCP_DEFER_ACCEPT): nginx wakes once per connection, when the request has arrived,
    # instead of once for the handshake and again for the request. The client's work is the same:
    # a full handshake per probe. It cut nginx's CPU per request by about a fifth (bench/README.md).
    for ((i = 0; i < BENCH_TARGET_ADDRESSES; i++)); do
      echo "    listen 127.0.0.$((2 + i)):$port$ssl backlog=4096 deferred;"
    done
    if [ -n "$backend_port" ]; then
      cat <<CONF
    location / {
      proxy_pass http://127.0.0.1:$backend_port;
      proxy_read_timeout 600s;
    }
  }
}
CONF
    else
      cat <<'CONF'
    location / {
      return 200 "ok";
    }
  }
}
CONF
    fi
  } >"$dir/nginx.conf"
}

# bench_start_target DIR PORT LATENCY_MS BUILD_DIR: starts the target and waits until it answers.
bench_start_target() {
  local dir="$1" port="$2" latency_ms="$3" build_dir="$4" log
  mkdir -p "$dir"
  log="$dir/target.log"
  [ "$BENCH_TLS" = 0 ] || bench_make_tls_ca "$dir/tls" "$BENCH_TARGET_ADDRESSES"
  if [ "$latency_ms" -gt 0 ]; then
    local binary="$build_dir/bench/delay_target" first_address=127.0.0.2
    local addresses="$BENCH_TARGET_ADDRESSES" delay_port="$port"
    [ -x "$binary" ] || bench_die "$binary is not built (ninja -C $build_dir delay_target)"
    # Behind TLS, nginx faces the probes and delay_target only nginx.
    [ "$BENCH_TLS" = 0 ] || first_address=127.0.0.1 addresses=1 delay_port=$((port + 1))
    "$binary" --port "$delay_port" --delay-ms "$latency_ms" --first-address "$first_address" \
      --addresses "$addresses" >>"$log" 2>&1 </dev/null &
    if [ "$BENCH_TLS" = 1 ]; then BENCH_DELAY_PID=$!; else BENCH_TARGET_PID=$!; fi
    BENCH_TARGET_NAME="delay_target (${latency_ms} ms)"
  fi
  if [ "$latency_ms" -eq 0 ] || [ "$BENCH_TLS" = 1 ]; then
    command -v nginx >/dev/null || bench_die "nginx is not installed (apt-get install nginx-light)"
    local backend=""
    [ "$latency_ms" -eq 0 ] || backend=$((port + 1))
    bench_write_nginx_config "$dir" "$port" $backend
    nginx -t -q -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" >>"$log" 2>&1 ||
      { cat "$log" >&2; bench_die "nginx rejected $dir/nginx.conf"; }
    nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" >>"$log" 2>&1 </dev/null &
    BENCH_TARGET_PID=$!
    if [ "$latency_ms" -eq 0 ]; then
      BENCH_TARGET_NAME=nginx
    else
      BENCH_TARGET_NAME="nginx (TLS) in front of delay_target (${latency_ms} ms)"
    fi
  fi
  [ "$BENCH_TLS" = 0 ] || BENCH_TARGET_NAME+=" over TLS"
  BENCH_TARGET_PORT="$port"
  BENCH_TARGET_DIR="$dir"
  local first last
  first="$(bench_target_url 1)"
  last="$(bench_target_url "$BENCH_TARGET_ADDRESSES")"
  BENCH_TARGET_ANSWER_S=$((5 + latency_ms / 1000))
  bench_wait_for $((10 + 2 * BENCH_TARGET_ANSWER_S)) "the target to answer on $first and $last" \
    bench_target_answers "$first" "$last" ||
    { cat "$log" "$dir/error.log" 2>/dev/null >&2; bench_die "the target did not start"; }
}

# bench_tls_handshakes T0 T1: "full N resumed M" for the requests nginx logged in [T0, T1) (unix
# seconds; --tls only).
bench_tls_handshakes() {
  awk -v t0="$1" -v t1="$2" '$1 >= t0 && $1 < t1 { if ($2 == "r") r++; else f++ }
    END { printf "full %d resumed %d\n", f, r }' "$BENCH_TARGET_DIR/tls.log" 2>/dev/null ||
    echo "full 0 resumed 0"
}

bench_target_answers() {
  local url
  kill -0 "$BENCH_TARGET_PID" 2>/dev/null || return 1
  local trust=()
  [ "$BENCH_TLS" = 0 ] || trust=(--cacert "$BENCH_TLS_CA")
  for url in "$@"; do
    [ "$(curl -s --max-time "$BENCH_TARGET_ANSWER_S" "${trust[@]}" "$url")" = ok ] || return 1
  done
}

bench_stop_target() {
  if [ -n "$BENCH_TARGET_PID" ]; then
    bench_stop_pid "$BENCH_TARGET_PID" 10
    BENCH_TARGET_PID=""
  fi
  if [ -n "$BENCH_DELAY_PID" ]; then
    bench_stop_pid "$BENCH_DELAY_PID" 10
    BENCH_DELAY_PID=""
  fi
}
