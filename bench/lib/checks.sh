# shellcheck shell=bash
# Creates the benchmark's checks in one SQL statement (the API would take one round trip each).
#
# Each check gets a row in checks and in check_states, as PgCheckStore::Create makes them, except
# that its state starts UP instead of INIT: every probe against the target answers 200, so no
# check changes state and the run measures steady probing, not the burst of 100,000 first
# "INIT -> UP" webhooks that real checks created one by one would spread over time.
# lokahid's scheduler sees the new versions on its next poll (every 0.5 s) and paces the new
# checks' first probes at 10,000 a second, then probes each on its own phase of the interval.

bench_create_checks() {
  local count="$1" every="$2" timeout_ms="$3" port="$4" addresses="$5"
  # Webhooks (none expected) would go to the target too, which answers anything with 200.
  bench_sql "
    WITH created AS (
      INSERT INTO checks (url, webhook_url, playbook_url, every_seconds, timeout_ms)
      SELECT format('$(bench_scheme)://127.0.0.%s:%s/check/%s', 2 + (n - 1) % $addresses, $port, n),
             '$(bench_scheme)://127.0.0.2:$port/webhook', 'https://example.invalid/bench', $every, $timeout_ms
      FROM generate_series(1, $count) AS n
      RETURNING id)
    INSERT INTO check_states (check_id, state, last_probed_at, state_changed_at)
    SELECT id, 1, now(), now() FROM created" >/dev/null
  local created
  created="$(bench_sql "SELECT count(*) FROM checks JOIN check_states ON check_id = id")"
  [ "$created" = "$count" ] || bench_die "created $created checks, expected $count"
}

# True once the scheduler has dispatched and a worker has written at least one result.
bench_results_flowing() { [ "$(bench_sql "SELECT count(*) > 0 FROM (SELECT 1 FROM results LIMIT 1) r")" = t ]; }
