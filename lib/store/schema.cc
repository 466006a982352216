#include "lib/store/schema.h"

namespace lokahi::store {

const std::vector<postgres::Migration>& SchemaMigrations() {
  static const std::vector<postgres::Migration> kMigrations = {
      {1, "checks, states, results, transitions", R"sql(
CREATE SEQUENCE check_versions;

CREATE TABLE checks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  url text NOT NULL,
  webhook_url text NOT NULL,
  playbook_url text NOT NULL DEFAULT '',
  every_seconds integer NOT NULL,
  timeout_ms integer NOT NULL,
  expected_status integer NOT NULL DEFAULT 0,
  failure_threshold integer NOT NULL DEFAULT 1,
  recovery_threshold integer NOT NULL DEFAULT 1,
  webhook_format smallint NOT NULL DEFAULT 0,
  webhook_secret text NOT NULL DEFAULT '',
  webhook_response_time_ns bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  version bigint NOT NULL DEFAULT nextval('check_versions')
);
CREATE INDEX checks_list_order ON checks (created_at, id);
CREATE INDEX checks_version ON checks (version);

CREATE TABLE check_tombstones (
  id uuid PRIMARY KEY,
  version bigint NOT NULL DEFAULT nextval('check_versions'),
  deleted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX check_tombstones_version ON check_tombstones (version);

-- Updated by every batch of probe results: kept apart from checks so those updates stay HOT and
-- never touch the API's indexes.
CREATE TABLE check_states (
  check_id uuid PRIMARY KEY REFERENCES checks (id) ON DELETE CASCADE,
  state smallint NOT NULL DEFAULT 0,
  consecutive_failures integer NOT NULL DEFAULT 0,
  consecutive_successes integer NOT NULL DEFAULT 0,
  last_slot_ms bigint NOT NULL DEFAULT 0,
  last_status_code integer NOT NULL DEFAULT 0,
  last_latency_ns bigint NOT NULL DEFAULT 0,
  last_probed_at timestamptz,
  state_changed_at timestamptz
) WITH (fillfactor = 70);

CREATE TABLE results (
  check_id uuid NOT NULL,
  due_at timestamptz NOT NULL,
  probed_at timestamptz NOT NULL,
  status_code smallint NOT NULL,
  latency_ns bigint NOT NULL,
  dns_ns bigint NOT NULL DEFAULT 0,
  connect_ns bigint NOT NULL DEFAULT 0,
  tls_ns bigint NOT NULL DEFAULT 0,
  first_byte_ns bigint NOT NULL DEFAULT 0,
  verdict smallint NOT NULL,
  error text NOT NULL DEFAULT '',
  cert_expires_at timestamptz
) PARTITION BY RANGE (probed_at);
CREATE INDEX results_check_time ON results (check_id, probed_at);
CREATE INDEX results_time ON results USING brin (probed_at);
CREATE TABLE results_default PARTITION OF results DEFAULT;

-- Creates the daily partitions of results from `from_day` for `days` days; idempotent.
CREATE FUNCTION lokahi_ensure_result_partitions(from_day date, days integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  day date;
  name text;
BEGIN
  FOR i IN 0 .. days - 1 LOOP
    day := from_day + i;
    name := 'results_' || to_char(day, 'YYYYMMDD');
    IF to_regclass(name) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF results FOR VALUES FROM (%L) TO (%L)',
                     name, day::timestamptz, (day + 1)::timestamptz);
    END IF;
  END LOOP;
END $$;

-- Drops daily partitions that end before `before_day`; returns how many.
CREATE FUNCTION lokahi_drop_result_partitions(before_day date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  part record;
  dropped integer := 0;
BEGIN
  FOR part IN
    SELECT c.relname FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = 'results' AND c.relname ~ '^results_[0-9]{8}$'
  LOOP
    IF to_date(substr(part.relname, 9), 'YYYYMMDD') + 1 <= before_day THEN
      EXECUTE format('DROP TABLE %I', part.relname);
      dropped := dropped + 1;
    END IF;
  END LOOP;
  RETURN dropped;
END $$;

SELECT lokahi_ensure_result_partitions(current_date - 1, 3);

CREATE TABLE transitions (
  id bigserial PRIMARY KEY,
  check_id uuid NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
  from_state smallint NOT NULL,
  to_state smallint NOT NULL,
  at timestamptz NOT NULL,
  slot_ms bigint NOT NULL,
  status_code integer NOT NULL,
  latency_ns bigint NOT NULL,
  error text NOT NULL DEFAULT '',
  -- Webhook outbox: pending (0) until delivered (1) or failed (2).
  delivery_state smallint NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  delivered_at timestamptz,
  last_status_code integer NOT NULL DEFAULT 0,
  last_error text NOT NULL DEFAULT ''
);
CREATE INDEX transitions_by_check ON transitions (check_id, id);
CREATE INDEX transitions_pending ON transitions (next_attempt_at) WHERE delivery_state = 0;

CREATE TABLE scheduler_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  dispatched_until_ms bigint NOT NULL,
  holder text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Slots skipped because they were already stale when a worker got them, per minute.
CREATE TABLE skipped_slots (
  minute timestamptz PRIMARY KEY,
  count bigint NOT NULL
);
)sql"},
      {2, "when each result was written, to measure write lag", R"sql(
-- now() is the transaction's start: the batch's commit, give or take its few milliseconds.
ALTER TABLE results ADD COLUMN written_at timestamptz NOT NULL DEFAULT now();
)sql"},
      // The webhook outbox delivers a check's transitions in order: only its oldest pending one is
      // eligible. This index makes "is there an older pending transition of this check?" a probe
      // of a small index instead of a walk through the check's whole delivered history.
      {100, "index of pending transitions per check (webhook ordering)", R"sql(
CREATE INDEX transitions_pending_by_check ON transitions (check_id, id) WHERE delivery_state = 0;
)sql"},
      // Raw results are kept for days (LOKAHI_RESULT_RETENTION_DAYS, 7 by default); the 30-day
      // uptime reads these per-day counts for the days whose raw results may be gone.
      {101, "daily uptime counts per check, for uptime past result retention", R"sql(
CREATE TABLE daily_uptime (
  check_id uuid NOT NULL,
  day date NOT NULL,
  probes bigint NOT NULL,
  up bigint NOT NULL,
  PRIMARY KEY (check_id, day)
);
-- Days counted into daily_uptime: the 30-day uptime reads raw results only after the last one.
CREATE TABLE daily_uptime_days (day date PRIMARY KEY);
)sql"},
      // One row per batch of results (a few a second at full load): runstats sums these instead
      // of sorting an hour of raw results. Buckets are lib/store/log_buckets.h's, sparse.
      {102, "per-batch result statistics for runstats", R"sql(
CREATE TABLE result_batch_stats (
  written_at timestamptz NOT NULL DEFAULT now(),
  probes integer NOT NULL,
  answered integer NOT NULL,
  latency_min_ns bigint NOT NULL,
  latency_max_ns bigint NOT NULL,
  latency_sum_ns float8 NOT NULL,
  latency_sum_squares float8 NOT NULL,
  latency_buckets integer[] NOT NULL,
  latency_counts bigint[] NOT NULL,
  lag_buckets integer[] NOT NULL,
  lag_counts bigint[] NOT NULL
);
CREATE INDEX result_batch_stats_time ON result_batch_stats (written_at);
)sql"},
      // A day whose rows already sit in the default partition (the partition was not made in
      // time) cannot get its own partition; it is skipped so the other days still do, and its
      // rows age out of the default partition row by row.
      {103, "result partitions: skip a day the default partition already holds", R"sql(
CREATE OR REPLACE FUNCTION lokahi_ensure_result_partitions(from_day date, days integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  day date;
  name text;
BEGIN
  FOR i IN 0 .. days - 1 LOOP
    day := from_day + i;
    name := 'results_' || to_char(day, 'YYYYMMDD');
    IF to_regclass(name) IS NULL THEN
      BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF results FOR VALUES FROM (%L) TO (%L)',
                       name, day::timestamptz, (day + 1)::timestamptz);
      EXCEPTION WHEN check_violation THEN
        RAISE NOTICE 'results for % are in results_default already; no partition for that day', day;
      END;
    END IF;
  END LOOP;
END $$;
)sql"},
      // List's deep offsets: without this, OFFSET n walks n index entries (~120 ms at 500,000).
      // Each block counts the checks from its first key up to the next block's; List sums the
      // counts to find the block holding position n and walks at most about a block from there.
      // Creates and deletes append their +n / -n to check_list_deltas instead of updating a
      // count, so concurrent writers never wait for each other; lokahid folds the deltas in and
      // splits grown blocks (lokahi_compact_check_list) every few seconds, and renumbers every
      // block from the rows (lokahi_rebuild_check_list) hourly, which also heals any drift. One
      // statement reads both tables, so a page is exact in its snapshot.
      {104, "check_list_blocks: counts per run of list positions, for deep List offsets",
       R"sql(
-- Writers of older versions keep writing while this runs: none may commit between the count
-- below and the triggers.
LOCK TABLE checks IN SHARE ROW EXCLUSIVE MODE;
CREATE TABLE check_list_blocks (
  first_created_at timestamptz NOT NULL,
  first_id uuid NOT NULL,
  checks bigint NOT NULL,
  PRIMARY KEY (first_created_at, first_id)
);
CREATE TABLE check_list_deltas (
  first_created_at timestamptz NOT NULL,
  first_id uuid NOT NULL,
  checks bigint NOT NULL
);

-- Renumbers the rows from `from_key` up to `before_key` (NULL: the end) into blocks of 1000.
-- The caller holds EXCLUSIVE on check_list_blocks and has removed the blocks in that range.
CREATE FUNCTION lokahi_number_check_list(from_created_at timestamptz, from_id uuid,
                                         before_created_at timestamptz, before_id uuid)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO check_list_blocks
  SELECT DISTINCT ON (block) created_at, id, count(*) OVER (PARTITION BY block)
  FROM (SELECT created_at, id, (row_number() OVER (ORDER BY created_at, id) - 1) / 1000 AS block
        FROM checks
        WHERE (created_at, id) >= (from_created_at, from_id)
          AND (before_created_at IS NULL OR (created_at, id) < (before_created_at, before_id)))
       numbered
  ORDER BY block, created_at, id;
$$;

-- Every block from the rows themselves; the '-infinity' block holds keys below the first real
-- block (a late commit can sort before it) and is always there.
CREATE FUNCTION lokahi_rebuild_check_list() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE check_list_blocks IN EXCLUSIVE MODE;
  DELETE FROM check_list_deltas;
  DELETE FROM check_list_blocks;
  INSERT INTO check_list_blocks VALUES ('-infinity', '00000000-0000-0000-0000-000000000000', 0);
  PERFORM lokahi_number_check_list('-infinity', '00000000-0000-0000-0000-000000000000', NULL, NULL);
END $$;
SELECT lokahi_rebuild_check_list();

-- Writers of deltas hold ROW EXCLUSIVE on check_list_blocks until they commit; this takes
-- EXCLUSIVE, so it sees every delta that counts and no block changes under a writer.
CREATE FUNCTION lokahi_compact_check_list() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  big record;
BEGIN
  LOCK TABLE check_list_blocks IN EXCLUSIVE MODE;
  -- Each delta into the block holding its key (its own, unless something removed it).
  UPDATE check_list_blocks b SET checks = b.checks + d.n
  FROM (SELECT holder.first_created_at, holder.first_id, sum(delta.checks) AS n
        FROM check_list_deltas delta CROSS JOIN LATERAL (
          SELECT x.first_created_at, x.first_id FROM check_list_blocks x
          WHERE (x.first_created_at, x.first_id) <= (delta.first_created_at, delta.first_id)
          ORDER BY x.first_created_at DESC, x.first_id DESC LIMIT 1) holder
        GROUP BY 1, 2) d
  WHERE (b.first_created_at, b.first_id) = (d.first_created_at, d.first_id);
  DELETE FROM check_list_deltas;
  -- An empty block holds nothing: the one before it takes over its range.
  DELETE FROM check_list_blocks WHERE checks = 0 AND first_created_at <> '-infinity';
  FOR big IN
    SELECT first_created_at, first_id, next_created_at, next_id FROM (
      SELECT first_created_at, first_id, checks,
             lead(first_created_at) OVER w AS next_created_at, lead(first_id) OVER w AS next_id
      FROM check_list_blocks WINDOW w AS (ORDER BY first_created_at, first_id)) blocks
    WHERE checks > 2000 OR checks < 0
  LOOP
    DELETE FROM check_list_blocks
    WHERE (first_created_at, first_id) = (big.first_created_at, big.first_id);
    IF big.first_created_at = '-infinity' THEN
      INSERT INTO check_list_blocks VALUES (big.first_created_at, big.first_id, 0);
    END IF;
    PERFORM lokahi_number_check_list(big.first_created_at, big.first_id, big.next_created_at,
                                     big.next_id);
  END LOOP;
END $$;

-- Each statement's rows counted into the blocks that hold their keys. Only ROW EXCLUSIVE, even
-- for a bulk insert: writers never wait for each other, and the compaction splits what grew.
CREATE FUNCTION lokahi_check_list_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM lokahi_rebuild_check_list();
    RETURN NULL;
  END IF;
  LOCK TABLE check_list_blocks IN ROW EXCLUSIVE MODE;
  EXECUTE format(
    'INSERT INTO check_list_deltas'
    ' SELECT holder.first_created_at, holder.first_id, $1 * count(*)'
    ' FROM %I changed CROSS JOIN LATERAL ('
    '   SELECT x.first_created_at, x.first_id FROM check_list_blocks x'
    '   WHERE (x.first_created_at, x.first_id) <= (changed.created_at, changed.id)'
    '   ORDER BY x.first_created_at DESC, x.first_id DESC LIMIT 1) holder'
    ' GROUP BY 1, 2', CASE WHEN TG_OP = 'INSERT' THEN 'added' ELSE 'removed' END)
  USING CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END;
  RETURN NULL;
END $$;

-- A check's place in the list never moves.
CREATE FUNCTION lokahi_check_list_key_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a check''s id and created_at never change';
END $$;

CREATE TRIGGER check_list_added AFTER INSERT ON checks
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION lokahi_check_list_changed();
CREATE TRIGGER check_list_removed AFTER DELETE ON checks
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION lokahi_check_list_changed();
CREATE TRIGGER check_list_truncated AFTER TRUNCATE ON checks
  FOR EACH STATEMENT EXECUTE FUNCTION lokahi_check_list_changed();
CREATE TRIGGER check_list_key_fixed BEFORE UPDATE OF id, created_at ON checks
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION lokahi_check_list_key_fixed();
)sql"},
      // A delivery given up for good is reported once to the operator's webhook
      // (LOKAHI_OPS_WEBHOOK_URL). The row is written in the statement that gives the delivery up,
      // so the report is never lost; it outlives the check and its transitions. notice_state: 0
      // pending, 1 sent, 2 given up.
      {105, "abandoned deliveries: the operator's notices, an outbox of their own", R"sql(
CREATE TABLE abandoned_deliveries (
  transition_id bigint PRIMARY KEY,
  check_id uuid NOT NULL,
  receiver text NOT NULL,
  reason smallint NOT NULL,
  error text NOT NULL,
  from_state smallint NOT NULL,
  to_state smallint NOT NULL,
  abandoned_at timestamptz NOT NULL DEFAULT now(),
  notice_state smallint NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  last_error text NOT NULL DEFAULT ''
);
CREATE INDEX abandoned_deliveries_pending ON abandoned_deliveries (next_attempt_at)
  WHERE notice_state = 0;
)sql"},
      // Per-hour counts and latency of each check's results, kept by a statement trigger on
      // results in the transaction that writes them (one grouped upsert per COPY, no per-row
      // round trips): the 24 h / 7 d / 30 d uptime and the latency histogram the Status API and
      // webhook bodies carry read these plus at most an hour of raw results at a window's start,
      // instead of a week of raw results (34 ms per check at 60 s probes). Latencies are counted
      // in 64 log buckets per doubling (bucket << 32 | count, sparse): a percentile read from them
      // is within 0.55 % of percentile_cont over the raw rows; count, min, max, mean and stddev
      // are exact. hourly_results_since is the first hour the trigger saw whole: hours before it
      // are read from raw results (on a database with results at migration time, for a week).
      {107, "hourly_results: per-hour uptime and latency rollup kept with each result batch",
       R"sql(
-- No writer may commit results between the emptiness check below and the trigger.
LOCK TABLE results IN SHARE MODE;
CREATE TABLE hourly_results (
  check_id uuid NOT NULL,
  hour timestamptz NOT NULL,
  probes bigint NOT NULL,
  up bigint NOT NULL,
  answered bigint NOT NULL,
  latency_min_ns bigint,
  latency_max_ns bigint,
  latency_sum_ns numeric NOT NULL,
  latency_sum_squares numeric NOT NULL,
  latency_buckets bigint[] NOT NULL,
  PRIMARY KEY (check_id, hour)
) WITH (fillfactor = 70);
CREATE TABLE hourly_results_since (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  since timestamptz NOT NULL
);

-- The hour holding `at` (UTC hours, whatever the session's time zone), and the first hour
-- boundary at or after `at`.
CREATE FUNCTION lokahi_hour_floor(at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_timestamp((floor(extract(epoch FROM at) / 3600) * 3600)::float8)
$$;
CREATE FUNCTION lokahi_hour_ceiling(at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_timestamp((ceil(extract(epoch FROM at) / 3600) * 3600)::float8)
$$;
-- Bucket k > 0 holds latencies in [2^((k-1)/64), 2^(k/64)) ns; bucket 0 holds 0.
CREATE FUNCTION lokahi_latency_bucket(ns bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN ns < 1 THEN 0 ELSE 1 + floor(ln(ns::float8) / ln(2.0) * 64)::bigint END
$$;
CREATE FUNCTION lokahi_merge_latency_buckets(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg((k << 32) + c ORDER BY k), '{}')
  FROM (SELECT e >> 32 AS k, sum(e & 4294967295)::bigint AS c FROM unnest(a || b) AS e
        GROUP BY 1) merged
$$;

-- verdict 0 is UP (lib/checks/state_machine.h); status_code 0 is no HTTP answer. Rows in key
-- order, so concurrent writers of the same checks lock them in one order.
CREATE FUNCTION lokahi_roll_up_results() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO hourly_results AS h (check_id, hour, probes, up, answered, latency_min_ns,
                                   latency_max_ns, latency_sum_ns, latency_sum_squares,
                                   latency_buckets)
  SELECT check_id, hour, sum(probes), sum(up), sum(answered), min(lo), max(hi),
         coalesce(sum(s), 0), coalesce(sum(sq), 0),
         coalesce(array_agg((bucket << 32) + answered ORDER BY bucket)
                    FILTER (WHERE answered > 0), '{}')
  FROM (SELECT check_id, lokahi_hour_floor(probed_at) AS hour,
               CASE WHEN status_code > 0 THEN lokahi_latency_bucket(latency_ns) ELSE -1 END
                 AS bucket,
               count(*) AS probes, count(*) FILTER (WHERE verdict = 0) AS up,
               count(*) FILTER (WHERE status_code > 0) AS answered,
               min(latency_ns) FILTER (WHERE status_code > 0) AS lo,
               max(latency_ns) FILTER (WHERE status_code > 0) AS hi,
               sum(latency_ns) FILTER (WHERE status_code > 0) AS s,
               sum(latency_ns::numeric * latency_ns) FILTER (WHERE status_code > 0) AS sq
        FROM added GROUP BY 1, 2, 3) per_bucket
  GROUP BY check_id, hour
  ORDER BY check_id, hour
  ON CONFLICT (check_id, hour) DO UPDATE SET
    probes = h.probes + excluded.probes,
    up = h.up + excluded.up,
    answered = h.answered + excluded.answered,
    latency_min_ns = least(h.latency_min_ns, excluded.latency_min_ns),
    latency_max_ns = greatest(h.latency_max_ns, excluded.latency_max_ns),
    latency_sum_ns = h.latency_sum_ns + excluded.latency_sum_ns,
    latency_sum_squares = h.latency_sum_squares + excluded.latency_sum_squares,
    latency_buckets = lokahi_merge_latency_buckets(h.latency_buckets, excluded.latency_buckets);
  RETURN NULL;
END $$;
CREATE TRIGGER results_roll_up AFTER INSERT ON results
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION lokahi_roll_up_results();

INSERT INTO hourly_results_since (since)
SELECT CASE WHEN EXISTS (SELECT 1 FROM results) THEN lokahi_hour_floor(now()) + interval '1 hour'
            ELSE '-infinity' END;
)sql"},
      {106, "checks.notify_failure_kind_change: DOWN <-> ERROR notifies unless turned off",
       R"sql(
ALTER TABLE checks ADD COLUMN notify_failure_kind_change boolean NOT NULL DEFAULT true;
)sql"},
      // Push alerts (issue 16), keyed by (source, id). state: 0 PENDING, 1 RAISED,
      // 2 ACKNOWLEDGED, 3 CLEARED (lib/alerts State). The scheduler finds what is due through the
      // three partial indexes, one per kind of due work; retention through the fourth.
      {110, "alerts: pushed alerts (purple, mauvealert) and what is due about them", R"sql(
CREATE TABLE alerts (
  source text NOT NULL,
  id text NOT NULL,
  subject text NOT NULL DEFAULT '',
  detail text NOT NULL DEFAULT '',
  state smallint NOT NULL DEFAULT 0,
  raise_at timestamptz,
  importance smallint NOT NULL DEFAULT 0,
  webhook_url text NOT NULL DEFAULT '',
  webhook_format smallint NOT NULL DEFAULT 1,
  suppress_until timestamptz,
  acknowledged_by text NOT NULL DEFAULT '',
  acknowledged_until timestamptz,
  ack_note text NOT NULL DEFAULT '',
  notify_count integer NOT NULL DEFAULT 0,
  next_reminder_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  state_changed_at timestamptz NOT NULL DEFAULT now(),
  last_notified_at timestamptz,
  PRIMARY KEY (source, id)
);
CREATE INDEX alerts_raise_due ON alerts (raise_at) WHERE state = 0;
CREATE INDEX alerts_ack_due ON alerts (acknowledged_until) WHERE state = 2;
CREATE INDEX alerts_reminder_due ON alerts (next_reminder_at) WHERE state = 1;
CREATE INDEX alerts_cleared_at ON alerts (state_changed_at) WHERE state = 3;
CREATE INDEX alerts_by_id ON alerts (id, source);
)sql"},
      // The generic notifications outbox (lib/store/pg_notifications.h): alert notifications and
      // any other notice (vantage impaired/recovered, certificate expiry) queued in the caller's
      // transaction, delivered by the webhookworker like check webhooks. Rows sharing an
      // ordering_key leave in id order. delivery_state: 0 pending, 1 delivered, 2 failed.
      {111, "notifications: a generic webhook outbox for alerts and other notices", R"sql(
CREATE TABLE notifications (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  ordering_key text NOT NULL,
  webhook_url text NOT NULL,
  content_type text NOT NULL,
  body bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivery_state smallint NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  delivered_at timestamptz,
  last_status_code integer NOT NULL DEFAULT 0,
  last_error text NOT NULL DEFAULT ''
);
CREATE INDEX notifications_pending ON notifications (next_attempt_at, id)
  WHERE delivery_state = 0;
CREATE INDEX notifications_pending_by_key ON notifications (ordering_key, id)
  WHERE delivery_state = 0;
CREATE INDEX notifications_finished ON notifications (created_at) WHERE delivery_state <> 0;
)sql"},
      // Alerts' List filters served by indexes: a state's alerts in List's order (source, id),
      // and an id prefix as a LIKE range (text_pattern_ops: the database's C.UTF-8 collation is
      // not C to the planner), which also serves SourcesOf's id = $1 in source order.
      {112, "alerts: indexes for List's state and id prefix filters", R"sql(
CREATE INDEX alerts_by_state ON alerts (state, source, id);
DROP INDEX alerts_by_id;
CREATE INDEX alerts_by_id ON alerts (id text_pattern_ops, source);
)sql"},
      // PgAlertStore's one-statement heartbeat refresh: raises (rolling the statement back) when
      // not every submitted alert was PENDING, so a refresh stores all or nothing.
      {113, "alerts: lokahi_alerts_all_refreshed, the heartbeat refresh's all-or-nothing check",
       R"sql(
CREATE FUNCTION lokahi_alerts_all_refreshed(expected integer, refreshed bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF refreshed <> expected THEN
    RAISE EXCEPTION USING ERRCODE = 'LKA01',
      MESSAGE = format('%s of %s alerts were pending: the general path decides', refreshed, expected);
  END IF;
  RETURN true;
END $$;
)sql"},
      // An alert's Deliveries: its notifications by ordering key, delivered and given up included.
      {114, "notifications: index by ordering key for Deliveries", R"sql(
CREATE INDEX notifications_by_key ON notifications (ordering_key, id);
)sql"},
      // INCONCLUSIVE results (verdict 3: the worker's own path was impaired) are kept and shown
      // but are no probes of the target: the hourly rollup leaves them out of its counts.
      {150, "hourly_results: INCONCLUSIVE results count for no uptime", R"sql(
CREATE OR REPLACE FUNCTION lokahi_roll_up_results() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO hourly_results AS h (check_id, hour, probes, up, answered, latency_min_ns,
                                   latency_max_ns, latency_sum_ns, latency_sum_squares,
                                   latency_buckets)
  SELECT check_id, hour, sum(probes), sum(up), sum(answered), min(lo), max(hi),
         coalesce(sum(s), 0), coalesce(sum(sq), 0),
         coalesce(array_agg((bucket << 32) + answered ORDER BY bucket)
                    FILTER (WHERE answered > 0), '{}')
  FROM (SELECT check_id, lokahi_hour_floor(probed_at) AS hour,
               CASE WHEN status_code > 0 THEN lokahi_latency_bucket(latency_ns) ELSE -1 END
                 AS bucket,
               count(*) FILTER (WHERE verdict <> 3) AS probes,
               count(*) FILTER (WHERE verdict = 0) AS up,
               count(*) FILTER (WHERE status_code > 0) AS answered,
               min(latency_ns) FILTER (WHERE status_code > 0) AS lo,
               max(latency_ns) FILTER (WHERE status_code > 0) AS hi,
               sum(latency_ns) FILTER (WHERE status_code > 0) AS s,
               sum(latency_ns::numeric * latency_ns) FILTER (WHERE status_code > 0) AS sq
        FROM added GROUP BY 1, 2, 3) per_bucket
  GROUP BY check_id, hour
  ORDER BY check_id, hour
  ON CONFLICT (check_id, hour) DO UPDATE SET
    probes = h.probes + excluded.probes,
    up = h.up + excluded.up,
    answered = h.answered + excluded.answered,
    latency_min_ns = least(h.latency_min_ns, excluded.latency_min_ns),
    latency_max_ns = greatest(h.latency_max_ns, excluded.latency_max_ns),
    latency_sum_ns = h.latency_sum_ns + excluded.latency_sum_ns,
    latency_sum_squares = h.latency_sum_squares + excluded.latency_sum_squares,
    latency_buckets = lokahi_merge_latency_buckets(h.latency_buckets, excluded.latency_buckets);
  RETURN NULL;
END $$;
)sql"},
      // A healthworker's own path judged impaired (kind 1) or recovered (kind 2): one row per
      // change. The operator's notice of it goes through the notifications outbox (migration 111).
      {151, "vantage_events: healthworkers' impaired and recovered changes", R"sql(
CREATE TABLE vantage_events (
  id bigserial PRIMARY KEY,
  worker text NOT NULL,
  location text NOT NULL,
  kind smallint NOT NULL,
  reason text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vantage_events_at ON vantage_events (at);
)sql"},
      // The web console's login sessions (lokahid/console/console_sessions.h): only a hash of the
      // cookie's token is stored.
      {140, "console_sessions: the web console's login sessions", R"sql(
CREATE TABLE console_sessions (
  token_sha256 text PRIMARY KEY,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
)sql"},
      // The console's overview lists failing checks, longest failing first, at any number of
      // checks. state and state_changed_at change only on transitions, so result batches'
      // updates of check_states stay HOT.
      {141, "index of failing checks for the console's overview", R"sql(
CREATE INDEX check_states_failing ON check_states (state_changed_at, check_id)
  WHERE state IN (2, 3);
)sql"},
      // The overview counts checks by state at any number of checks: the few not UP through this
      // index, UP as the rest of check_list_blocks' exact total (migration 104).
      {142, "index of checks not UP, for the console's counts by state", R"sql(
CREATE INDEX check_states_not_up ON check_states (state) WHERE state <> 1;
)sql"},
      // Confirmation (issue 19): a transition out of UP waits for another worker's probe unless
      // the check turns `confirm` off; vetoes are counted per check; a transition says whether it
      // was confirmed (1), committed without an answer (2) or needed none (0).
      {152, "checks.confirm, check_states.disagreements, transitions.confirmation", R"sql(
ALTER TABLE checks ADD COLUMN confirm boolean NOT NULL DEFAULT true;
ALTER TABLE check_states ADD COLUMN disagreements integer NOT NULL DEFAULT 0;
ALTER TABLE transitions ADD COLUMN confirmation smallint NOT NULL DEFAULT 0;
)sql"},
      {120, "checks.name (unique when set), labels (jsonb, GIN for selectors), enabled", R"sql(
ALTER TABLE checks ADD COLUMN name text NOT NULL DEFAULT '',
                   ADD COLUMN labels jsonb NOT NULL DEFAULT '{}',
                   ADD COLUMN enabled boolean NOT NULL DEFAULT true;
CREATE UNIQUE INDEX checks_name ON checks (name) WHERE name <> '';
-- Label selectors (team=payments) read as labels @> '{"team":"payments"}'.
CREATE INDEX checks_labels ON checks USING gin (labels jsonb_path_ops);
)sql"},
      // probe: how a check's probe asks (lib/checks/options_json.h ProbeToJson), "{}" for lokahi's
      // plain GET. Header values in it are secrets, like webhook_secret.
      {121, "checks.probe: request method, headers, body, redirects, IP version", R"sql(
ALTER TABLE checks ADD COLUMN probe jsonb NOT NULL DEFAULT '{}';
)sql"},
      // Maintenance windows (issue 17). A window selects checks by id or label selector, once
      // (start/end) or weekly in a time zone; maintenance_periods holds its occurrences, planned
      // a week ahead by lokahi_plan_maintenance (lokahid's active scheduler, and Create), from
      // the window's creation on: a window never hides what happened before it existed. Checks
      // are matched at the time of use, so a check labelled later joins at once. While a period
      // covers a check, its results are stored but left out of uptime (the roll-up below and
      // the raw reads in lib/store) and its state changes are recorded silenced
      // (transitions.delivery_state 3); once none covers it, lokahid settles them (4) and sends
      // one notification if the state differs from the one receivers were last told.
      {130, "maintenance windows: silenced transitions, uptime without maintenance", R"sql(
-- selector: [{"key":k,"op":"="|"!="|"exists"|"!exists","value":v}], lib/labels's JSON form.
CREATE FUNCTION lokahi_labels_match(labels jsonb, selector jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(bool_and(CASE r->>'op'
           WHEN '=' THEN coalesce(labels ->> (r->>'key') = r->>'value', false)
           WHEN '!=' THEN coalesce(labels ->> (r->>'key') <> r->>'value', true)
           WHEN 'exists' THEN coalesce(labels ? (r->>'key'), false)
           ELSE NOT coalesce(labels ? (r->>'key'), false) END), true)
  FROM jsonb_array_elements(selector) r
$$;

CREATE TABLE maintenance_windows (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  check_ids uuid[] NOT NULL DEFAULT '{}',
  selector text NOT NULL DEFAULT '',
  selector_json jsonb NOT NULL DEFAULT '[]',
  starts_at timestamptz,
  ends_at timestamptz,
  weekday smallint,
  from_minute smallint,
  to_minute smallint,
  time_zone text,
  reason text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CHECK (cardinality(check_ids) > 0 OR jsonb_array_length(selector_json) > 0),
  CHECK ((weekday IS NULL AND ends_at > starts_at)
         OR (starts_at IS NULL AND weekday BETWEEN 1 AND 7 AND from_minute BETWEEN 0 AND 1439
             AND to_minute BETWEEN 0 AND 1439 AND time_zone IS NOT NULL))
);
CREATE INDEX maintenance_windows_live ON maintenance_windows (created_at, id)
  WHERE deleted_at IS NULL;

CREATE TABLE maintenance_periods (
  window_id uuid NOT NULL REFERENCES maintenance_windows (id) ON DELETE CASCADE,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  PRIMARY KEY (window_id, starts_at)
);
CREATE INDEX maintenance_periods_end ON maintenance_periods (ends_at);

-- Whether a window of these ids and selector takes in the check.
CREATE FUNCTION lokahi_window_selects(ids uuid[], selector jsonb, want uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT want = ANY(ids)
      OR (jsonb_array_length(selector) > 0
          AND coalesce((SELECT lokahi_labels_match(c.labels, selector) FROM checks c
                        WHERE c.id = want), false))
$$;

-- Whether maintenance covers the check at `at`.
CREATE FUNCTION lokahi_in_maintenance(want uuid, at timestamptz) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM maintenance_periods p JOIN maintenance_windows w ON w.id = p.window_id
                 WHERE p.ends_at > at AND p.starts_at <= at
                   AND lokahi_window_selects(w.check_ids, w.selector_json, want))
$$;

-- Occurrences of live windows from yesterday to 8 days ahead (in each window's zone), never
-- before the window was created; idempotent.
CREATE FUNCTION lokahi_plan_maintenance() RETURNS void LANGUAGE sql AS $$
  INSERT INTO maintenance_periods (window_id, starts_at, ends_at)
  SELECT id, greatest(starts_at, created_at), ends_at FROM maintenance_windows
  WHERE weekday IS NULL AND deleted_at IS NULL AND ends_at > greatest(starts_at, created_at)
  ON CONFLICT DO NOTHING;
  INSERT INTO maintenance_periods (window_id, starts_at, ends_at)
  SELECT w.id, greatest(o.s, w.created_at), o.e
  FROM maintenance_windows w
  CROSS JOIN LATERAL (
    -- Local dates in the window's zone; a local date and time read in that zone.
    SELECT (g.day::timestamp + make_interval(mins => w.from_minute)) AT TIME ZONE w.time_zone AS s,
           (g.day::timestamp + make_interval(mins => w.to_minute)
              + CASE WHEN w.to_minute <= w.from_minute THEN interval '1 day'
                     ELSE interval '0' END) AT TIME ZONE w.time_zone AS e
    FROM generate_series(0, 9) AS n,
         LATERAL (SELECT (now() AT TIME ZONE w.time_zone)::date - 1 + n AS day) g
    WHERE extract(isodow FROM g.day) = w.weekday) o
  WHERE w.weekday IS NOT NULL AND w.deleted_at IS NULL AND o.e > w.created_at
  ON CONFLICT DO NOTHING;
$$;

-- Silenced transitions not settled yet, per check: what lokahid's settling looks for.
CREATE INDEX transitions_silenced ON transitions (check_id, id) WHERE delivery_state = 3;

-- Results a maintenance period covers are left out of hourly_results' uptime counts: this
-- trigger runs after results_roll_up (triggers fire in name order) and takes back what that one
-- counted for them, as it counts (INCONCLUSIVE, verdict 3, is no probe: migration 150). Their
-- latency stays in the histogram. Reads the periods ending after the batch's first probe once;
-- without any, the semi-join finds nothing and the update touches no row.
CREATE FUNCTION lokahi_roll_up_maintenance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE hourly_results h SET probes = h.probes - m.probes, up = h.up - m.up
  FROM (SELECT a.check_id, lokahi_hour_floor(a.probed_at) AS hour,
               count(*) FILTER (WHERE a.verdict <> 3) AS probes,
               count(*) FILTER (WHERE a.verdict = 0) AS up
        FROM added a
        WHERE EXISTS (
          SELECT 1 FROM maintenance_periods p JOIN maintenance_windows w ON w.id = p.window_id
          WHERE p.ends_at > (SELECT min(probed_at) FROM added)
            AND p.starts_at <= a.probed_at AND a.probed_at < p.ends_at
            AND lokahi_window_selects(w.check_ids, w.selector_json, a.check_id))
        GROUP BY 1, 2
        ORDER BY 1, 2) m
  WHERE h.check_id = m.check_id AND h.hour = m.hour;
  RETURN NULL;
END $$;
CREATE TRIGGER results_roll_up_maintenance AFTER INSERT ON results
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION lokahi_roll_up_maintenance();
)sql"},
      // List's filters (issue 17) at a million checks: each filter has an index that yields a
      // page's matches in List's order, so a filtered first page reads about a page of rows.
      // State lives in check_states (per-probe updates stay HOT): its rows get their check's
      // created_at (fixed for life) so (state, created_at, id) orders a state's checks as List
      // does; only transitions move an entry. Labels: migration 120's GIN. Search: trigrams of
      // name and URL (pg_trgm is a trusted extension: the database owner may create it).
      {131, "indexes for List's filters: state in List's order, name/URL substring", R"sql(
ALTER TABLE check_states ADD COLUMN list_created_at timestamptz;
UPDATE check_states s SET list_created_at = c.created_at FROM checks c WHERE c.id = s.check_id;
CREATE FUNCTION lokahi_check_state_list_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.list_created_at := (SELECT created_at FROM checks WHERE id = NEW.check_id);
  RETURN NEW;
END $$;
CREATE TRIGGER check_states_list_key BEFORE INSERT ON check_states
  FOR EACH ROW EXECUTE FUNCTION lokahi_check_state_list_key();
CREATE INDEX check_states_by_state ON check_states (state, list_created_at, check_id);
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX checks_search ON checks USING gin ((name || E'\n' || url) gin_trgm_ops);
)sql"},
      // The status page's 90 daily bars for 1,000 checks read one row per check instead of 90:
      // per check, its finished days of the last 90 (daily_uptime) as "day probes up" triples
      // (day: days since 1970-01-01, UTC), oldest first. Kept by statement triggers on
      // daily_uptime, so the daily rollup (and anything else writing daily counts) keeps it
      // right: each statement rebuilds the rows of the checks it touched from their last 90
      // daily counts (one index range each).
      {143, "uptime_bars: a check's last 90 daily counts in one row, for the status page", R"sql(
CREATE TABLE uptime_bars (
  check_id uuid PRIMARY KEY,
  days text NOT NULL
);
CREATE FUNCTION lokahi_rebuild_uptime_bars(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO uptime_bars AS b (check_id, days)
  SELECT d.check_id,
         string_agg((d.day - date '1970-01-01') || ' ' || d.probes || ' ' || d.up, ' '
                    ORDER BY d.day)
  FROM (SELECT check_id, max(day) AS last FROM daily_uptime WHERE check_id = ANY(ids)
        GROUP BY 1) l
  JOIN daily_uptime d ON d.check_id = l.check_id AND d.day > l.last - 90
  GROUP BY d.check_id
  ON CONFLICT (check_id) DO UPDATE SET days = excluded.days;
$$;
CREATE FUNCTION lokahi_daily_uptime_to_bars() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM lokahi_rebuild_uptime_bars(ARRAY(SELECT DISTINCT check_id FROM changed));
  RETURN NULL;
END $$;
CREATE TRIGGER daily_uptime_bars_insert AFTER INSERT ON daily_uptime
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION lokahi_daily_uptime_to_bars();
CREATE TRIGGER daily_uptime_bars_update AFTER UPDATE ON daily_uptime
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION lokahi_daily_uptime_to_bars();
DO $$ BEGIN PERFORM lokahi_rebuild_uptime_bars(ARRAY(SELECT DISTINCT check_id FROM daily_uptime)); END $$;
)sql"},
      // The status page's 24 h uptime and today's bar read hourly_results: 24 rows per check, each
      // on its own heap page (an hour's rows are written together), most of a 1,000-check page's
      // time. Published checks (public=true, status-page=...) get their finished hours of the
      // last 26 in their uptime_bars row as "hour probes up" triples (hour = hours since the
      // epoch), refreshed by lokahid's hourly maintenance up to hours_through (5 minutes behind
      // the hour, for late batches); a page reads hourly_results only from there on.
      {144, "uptime_bars.hours: published checks' finished hours, for the status page", R"sql(
ALTER TABLE uptime_bars ADD COLUMN hours text NOT NULL DEFAULT '',
                        ADD COLUMN hours_through timestamptz;
CREATE FUNCTION lokahi_refresh_uptime_hours() RETURNS void LANGUAGE sql AS $$
  INSERT INTO uptime_bars AS b (check_id, days, hours, hours_through)
  SELECT c.id, '',
         coalesce(string_agg((extract(epoch FROM h.hour)::bigint / 3600) || ' ' || h.probes || ' '
                             || h.up, ' ' ORDER BY h.hour), ''),
         t.through
  FROM (SELECT lokahi_hour_floor(now() - interval '5 minutes') AS through) t
  CROSS JOIN checks c
  LEFT JOIN hourly_results h
    ON h.check_id = c.id AND h.hour >= t.through - interval '26 hours' AND h.hour < t.through
  WHERE c.labels @> '{"public":"true"}' OR c.labels ? 'status-page'
  GROUP BY c.id, t.through
  ON CONFLICT (check_id) DO UPDATE SET hours = excluded.hours, hours_through = excluded.hours_through;
$$;
)sql"},
      // List's orders by name and by latest change of state (the console's sortable checks
      // list) at any number of checks: a page reads about a page of index entries. Probes'
      // updates of check_states stay HOT: state_changed_at changes only on transitions.
      {145, "indexes for List's orders by name and by latest change of state", R"sql(
CREATE INDEX checks_by_name ON checks (name, id);
CREATE INDEX check_states_by_change
  ON check_states ((coalesce(state_changed_at, 'epoch'::timestamptz)), check_id);
)sql"},
  };
  return kMigrations;
}

}  // namespace lokahi::store
