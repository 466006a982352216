# shellcheck shell=bash
# shellcheck disable=SC2034  # its settings are read by the files that source this one
# The HTTP target every check probes: nginx (answers at once) or bench's own delay_target (answers
# after --latency-ms). Either listens on the same port of 200 loopback addresses, 127.0.0.2 to
# 127.0.0.201, so probes model distinct hosts, each with a fresh connection.

BENCH_TARGET_ADDRESSES=200
BENCH_TARGET_PID=""

# The URL of check number i (1-based): spread round-robin over the addresses.
# (The SQL in checks.sh builds the same URLs; this is for messages and the readiness probe.)
bench_target_url() { echo "http://127.0.0.$((2 + ($1 - 1) % BENCH_TARGET_ADDRESSES)):$BENCH_TARGET_PORT/"; }

bench_write_nginx_config() {
  local dir="$1" port="$2" i user_line=""
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
worker_rlimit_nofile 20000;
events {
  worker_connections 16384;
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
  server {
CONF
    # deferred (TCP_DEFER_ACCEPT): nginx wakes once per connection, when the request has arrived,
    # instead of once for the handshake and again for the request. The client's work is the same:
    # a full handshake per probe. It cut nginx's CPU per request by about a fifth (bench/README.md).
    for ((i = 0; i < BENCH_TARGET_ADDRESSES; i++)); do
      echo "    listen 127.0.0.$((2 + i)):$port backlog=4096 deferred;"
    done
    cat <<'CONF'
    location / {
      return 200 "ok";
    }
  }
}
CONF
  } >"$dir/nginx.conf"
}

# bench_start_target DIR PORT LATENCY_MS BUILD_DIR: starts the target and waits until it answers.
bench_start_target() {
  local dir="$1" port="$2" latency_ms="$3" build_dir="$4" log
  mkdir -p "$dir"
  log="$dir/target.log"
  if [ "$latency_ms" -eq 0 ]; then
    command -v nginx >/dev/null || bench_die "nginx is not installed (apt-get install nginx-light)"
    bench_write_nginx_config "$dir" "$port"
    nginx -t -q -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" >>"$log" 2>&1 ||
      { cat "$log" >&2; bench_die "nginx rejected $dir/nginx.conf"; }
    nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" >>"$log" 2>&1 </dev/null &
    BENCH_TARGET_PID=$!
    BENCH_TARGET_NAME=nginx
  else
    local binary="$build_dir/bench/delay_target"
    [ -x "$binary" ] || bench_die "$binary is not built (ninja -C $build_dir delay_target)"
    "$binary" --port "$port" --delay-ms "$latency_ms" --first-address 127.0.0.2 \
      --addresses "$BENCH_TARGET_ADDRESSES" >>"$log" 2>&1 </dev/null &
    BENCH_TARGET_PID=$!
    BENCH_TARGET_NAME="delay_target (${latency_ms} ms)"
  fi
  BENCH_TARGET_PORT="$port"
  local first last
  first="$(bench_target_url 1)"
  last="$(bench_target_url "$BENCH_TARGET_ADDRESSES")"
  bench_wait_for 10 "the target to answer on $first and $last" \
    bench_target_answers "$first" "$last" ||
    { cat "$log" "$dir/error.log" 2>/dev/null >&2; bench_die "the target did not start"; }
}

bench_target_answers() {
  local url
  kill -0 "$BENCH_TARGET_PID" 2>/dev/null || return 1
  for url in "$@"; do
    [ "$(curl -s --max-time 5 "$url")" = ok ] || return 1
  done
}

bench_stop_target() {
  [ -n "$BENCH_TARGET_PID" ] || return 0
  bench_stop_pid "$BENCH_TARGET_PID" 10
  BENCH_TARGET_PID=""
}
