// bench/status_query: what the figures a webhook body and the Status API carry (24 h latency
// histogram, 24 h / 7 d / 30 d uptime) cost per check, on a private Postgres filled with N checks
// x D days of results every S seconds. Prints ms per batch and per check for lib/store's
// PgStatusQuery and, for comparison, for the raw-row queries it replaced (before migration 107),
// and checks that both give the same counts. Usage:
//   status_query_bench [--checks N] [--days D] [--every S] [--batch B] [--rounds R]
// Uses tests/support's PostgresServer (initdb in a temporary directory, a free loopback port).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "lib/checks/state_machine.h"
#include "lib/postgres/connection_pool.h"
#include "lib/postgres/migrator.h"
#include "lib/postgres/pg_array.h"
#include "lib/store/pg_status_query.h"
#include "lib/store/schema.h"
#include "lib/store/uptime_rollup.h"
#include "tests/support/postgres_server.h"

namespace {

using Clock = std::chrono::steady_clock;

// The raw-row queries PgStatusQuery ran before migration 107 (commit 49fc537):
// the baseline.
constexpr const char* kRawHistogramSql = R"sql(
SELECT check_id::text, count(*), min(latency_ns)::float8, max(latency_ns)::float8,
       avg(latency_ns)::float8, coalesce(stddev_pop(latency_ns), 0)::float8,
       percentile_cont(ARRAY[0.5, 0.75, 0.95, 0.99]) WITHIN GROUP (ORDER BY latency_ns)
FROM results
WHERE check_id = ANY($1::uuid[]) AND probed_at >= now() - $2::bigint * interval '1 second'
  AND status_code > 0
GROUP BY check_id
)sql";
constexpr const char* kRawUptimeSql = R"sql(
WITH boundary AS (
  SELECT coalesce(max(day) + 1, current_date - 30) AS raw_from_day
  FROM daily_uptime_days WHERE day >= current_date - 30
), rolled AS (
  SELECT check_id, sum(probes) AS probes, sum(up) AS up
  FROM daily_uptime
  WHERE check_id = ANY($1::uuid[]) AND day >= current_date - 30
    AND day < (SELECT raw_from_day FROM boundary)
  GROUP BY check_id
), raw AS (
  SELECT check_id,
         count(*) FILTER (WHERE probed_at >= now() - interval '24 hours') AS probes_24h,
         count(*) FILTER (WHERE probed_at >= now() - interval '24 hours' AND verdict = $2) AS up_24h,
         count(*) FILTER (WHERE probed_at >= now() - interval '7 days') AS probes_7d,
         count(*) FILTER (WHERE probed_at >= now() - interval '7 days' AND verdict = $2) AS up_7d,
         count(*) FILTER (WHERE probed_at >= (SELECT raw_from_day FROM boundary)) AS probes_30d,
         count(*) FILTER (WHERE probed_at >= (SELECT raw_from_day FROM boundary)
                            AND verdict = $2) AS up_30d
  FROM results
  WHERE check_id = ANY($1::uuid[])
    AND probed_at >= least(now() - interval '7 days', (SELECT raw_from_day FROM boundary))
  GROUP BY check_id
), counts AS (
  SELECT ids.check_id, coalesce(raw.probes_24h, 0) AS probes_24h, coalesce(raw.up_24h, 0) AS up_24h,
         coalesce(raw.probes_7d, 0) AS probes_7d, coalesce(raw.up_7d, 0) AS up_7d,
         coalesce(raw.probes_30d, 0) + coalesce(rolled.probes, 0) AS probes_30d,
         coalesce(raw.up_30d, 0) + coalesce(rolled.up, 0) AS up_30d
  FROM unnest($1::uuid[]) AS ids(check_id)
  LEFT JOIN raw ON raw.check_id = ids.check_id
  LEFT JOIN rolled ON rolled.check_id = ids.check_id
)
SELECT check_id::text, coalesce(up_24h::float8 / nullif(probes_24h, 0), 0),
       coalesce(up_7d::float8 / nullif(probes_7d, 0), 0),
       coalesce(up_30d::float8 / nullif(probes_30d, 0), 0), probes_24h, probes_7d, probes_30d
FROM counts
)sql";

struct Options {
  int checks = 100, days = 7, every = 60, batch = 100, rounds = 5;
};

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const int value = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--checks"))
      o.checks = value;
    else if (!std::strcmp(argv[i], "--days"))
      o.days = value;
    else if (!std::strcmp(argv[i], "--every"))
      o.every = value;
    else if (!std::strcmp(argv[i], "--batch"))
      o.batch = value;
    else if (!std::strcmp(argv[i], "--rounds"))
      o.rounds = value;
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      std::exit(2);
    }
  }
  if (o.checks < 1 || o.days < 1 || o.every < 10 || o.batch < 1 || o.rounds < 1) {
    std::fprintf(stderr, "--checks, --days, --batch, --rounds >= 1 and --every >= 10\n");
    std::exit(2);
  }
  return o;
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

template <typename F>
double MedianMs(int rounds, F&& f) {
  std::vector<double> ms;
  for (int i = 0; i < rounds; ++i) {
    const auto start = Clock::now();
    f();
    ms.push_back(Ms(Clock::now() - start));
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lokahi;
  const Options o = Parse(argc, argv);
  testing::PostgresServer server;
  const std::string url = server.NewDatabase();
  pqxx::connection sql(url);
  postgres::Migrate(sql, store::SchemaMigrations());

  const auto fill_start = Clock::now();
  std::vector<std::string> ids;
  {
    pqxx::work txn(sql);
    for (const auto& row :
         txn.exec_params("INSERT INTO checks (url, webhook_url, every_seconds, timeout_ms)"
                         " SELECT 'http://127.0.0.1:9/' || n, '', $2, 5000"
                         " FROM generate_series(1, $1) AS n RETURNING id::text",
                         o.checks, o.every)) {
      ids.push_back(row[0].as<std::string>());
    }
    txn.exec("INSERT INTO check_states (check_id) SELECT id FROM checks");
    txn.exec_params(
        "SELECT lokahi_ensure_result_partitions(current_date - "
        "$1::int, $1::int + 3)",
        o.days + 1);
    txn.commit();
  }
  // One statement per hour of results for every check, as result batches
  // arrive: 1 in 50 probes DOWN, 1 in 200 without an answer, latencies 20-120
  // ms.
  for (int hour = o.days * 24; hour > 0; --hour) {
    pqxx::work txn(sql);
    txn.exec_params(
        "INSERT INTO results (check_id, due_at, probed_at, status_code, "
        "latency_ns, verdict)"
        " SELECT c.id, t, t, CASE WHEN k % 200 = 0 THEN 0 ELSE 200 END,"
        "   20000000 + (k * 7919 + n * 104729) % 100000000,"
        "   CASE WHEN k % 200 = 0 THEN 2 WHEN k % 50 = 0 THEN 1 ELSE 0 END"
        " FROM (SELECT id, row_number() OVER () AS n FROM checks) c,"
        "   generate_series(0, 3600 / $2 - 1) AS k,"
        "   LATERAL (SELECT now() - $1 * interval '1 hour' + k * $2 * interval "
        "'1 second'"
        "            + n * interval '1 millisecond' AS t) s",
        hour, o.every);
    txn.commit();
  }
  {
    pqxx::work txn(sql);
    store::RollUpDailyUptime(txn);
    txn.commit();
  }
  {
    pqxx::nontransaction txn(sql);
    txn.exec("VACUUM ANALYZE");
  }
  int64_t rows = 0;
  {
    pqxx::work txn(sql);
    rows = txn.exec1("SELECT count(*) FROM results")[0].as<int64_t>();
  }
  std::printf("filled %d checks x %d days every %d s: %lld results in %.0f s\n", o.checks, o.days,
              o.every, static_cast<long long>(rows), Ms(Clock::now() - fill_start) / 1000);

  if (std::getenv("BENCH_HOLD_SECONDS")) {  // to look at plans with psql meanwhile
    std::printf("holding %s\n", url.c_str());
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::seconds(std::atoi(std::getenv("BENCH_HOLD_SECONDS"))));
  }
  postgres::ConnectionPool pool(url, 2);
  store::PgStatusQuery query(pool);
  const int batch = std::min(o.batch, o.checks);
  std::vector<checks::CheckId> batch_ids;
  std::vector<std::string> batch_text;
  for (int i = 0; i < batch; ++i) {
    batch_ids.push_back(*checks::CheckId::Parse(ids[i]));
    batch_text.push_back(ids[i]);
  }

  // The raw-row figures agree with the rollup-based ones (counts exactly).
  {
    const auto histograms = query.HistogramsFor(batch_ids, std::chrono::hours(24));
    const auto uptimes = query.UptimeRatiosFor(batch_ids);
    pqxx::work txn(sql);
    int mismatches = 0;
    for (const auto& row :
         txn.exec_params(kRawHistogramSql, postgres::TextArray(batch_text), int64_t{86400})) {
      if (histograms.at(row[0].as<std::string>()).samples != row[1].as<int64_t>()) ++mismatches;
    }
    for (const auto& row : txn.exec_params(kRawUptimeSql, postgres::TextArray(batch_text),
                                           static_cast<int>(checks::Verdict::kUp))) {
      const auto& u = uptimes.at(row[0].as<std::string>());
      if (u.probes_24h != row[4].as<int64_t>() || u.probes_7d != row[5].as<int64_t>() ||
          u.probes_30d != row[6].as<int64_t>() || u.last_7d != row[2].as<double>()) {
        ++mismatches;
      }
    }
    std::printf("rollup vs raw rows: %d mismatching checks of %d\n", mismatches, batch);
  }

  const auto report = [&](const char* what, double ms, int per) {
    std::printf("  %-34s %9.2f ms   %7.3f ms per check\n", what, ms, ms / per);
  };
  std::printf("batch of %d checks (a webhook claim batch), median of %d:\n", batch, o.rounds);
  const double raw_h = MedianMs(o.rounds, [&] {
    pqxx::work txn(sql);
    txn.exec_params(kRawHistogramSql, postgres::TextArray(batch_text), int64_t{86400});
  });
  const double raw_u = MedianMs(o.rounds, [&] {
    pqxx::work txn(sql);
    txn.exec_params(kRawUptimeSql, postgres::TextArray(batch_text),
                    static_cast<int>(checks::Verdict::kUp));
  });
  const double new_h =
      MedianMs(o.rounds, [&] { query.HistogramsFor(batch_ids, std::chrono::hours(24)); });
  const double new_u = MedianMs(o.rounds, [&] { query.UptimeRatiosFor(batch_ids); });
  report("raw rows: histogram", raw_h, batch);
  report("raw rows: uptime", raw_u, batch);
  report("raw rows: both", raw_h + raw_u, batch);
  report("PgStatusQuery: histogram", new_h, batch);
  report("PgStatusQuery: uptime", new_u, batch);
  report("PgStatusQuery: both", new_h + new_u, batch);

  // The Status API asks for one check per call.
  const double api_raw = MedianMs(o.rounds, [&] {
    pqxx::work txn(sql);
    txn.exec_params(kRawHistogramSql, postgres::TextArray({batch_text[0]}), int64_t{86400});
    txn.exec_params(kRawUptimeSql, postgres::TextArray({batch_text[0]}),
                    static_cast<int>(checks::Verdict::kUp));
  });
  const double api_new = MedianMs(o.rounds, [&] {
    query.HistogramFor(batch_ids[0], std::chrono::hours(24));
    query.UptimeRatiosFor(batch_ids[0]);
  });
  std::printf("one check (a Status API call), median of %d:\n", o.rounds);
  report("raw rows: both", api_raw, 1);
  report("PgStatusQuery: both", api_new, 1);
  return 0;
}
