// bench/console: server time of the console's overview (counts by state, failing now, recent
// changes, rendered) with N checks stored, and of the public status page (P public checks with
// 90 days of daily uptime and a day of hourly rollups, rendered), on a private Postgres. Prints
// p50/p99/max over R rounds of each. Times the queries and rendering lokahid runs for a request
// (no HTTP, no cache: the status page's 5 s cache would hide them). Usage:
//   console_bench [--checks N] [--public P] [--rounds R]
// Defaults: 1,000,000 checks, 1,000 public, 200 rounds.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "lib/postgres/connection_pool.h"
#include "lib/postgres/migrator.h"
#include "lib/store/schema.h"
#include "lokahid/console/console_pages.h"
#include "lokahid/console/console_queries.h"
#include "lokahid/status_page/status_page.h"
#include "lokahid/status_page/status_page_handler.h"
#include "tests/support/postgres_server.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  long checks = 1000000;
  long public_checks = 1000;
  int rounds = 200;
};

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--checks")) {
      o.checks = std::atol(argv[i + 1]);
    } else if (!std::strcmp(argv[i], "--public")) {
      o.public_checks = std::atol(argv[i + 1]);
    } else if (!std::strcmp(argv[i], "--rounds")) {
      o.rounds = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: console_bench [--checks N] [--public P] [--rounds R]\n");
      std::exit(2);
    }
  }
  o.public_checks = std::min(o.public_checks, o.checks);
  return o;
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void Report(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) { return ms[std::min(ms.size() - 1, size_t(q * ms.size()))]; };
  std::printf("%-40s rounds=%zu p50=%.1f ms p99=%.1f ms max=%.1f ms\n", what, ms.size(), at(0.5),
              at(0.99), ms.back());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lokahi;
  const Options o = Parse(argc, argv);
  testing::PostgresServer server;
  const std::string url = server.NewDatabase();
  bool labels = false;
  {
    pqxx::connection sql(url);
    postgres::Migrate(sql, store::SchemaMigrations());
    const auto fill_start = Clock::now();
    pqxx::work txn(sql);
    // 0.1 % DOWN, 0.05 % ERROR, the rest UP; the first P checks public (by label, when the
    // labels column exists), each with 90 days of daily counts and 24 hourly rollups.
    txn.exec_params0(
        "INSERT INTO checks (url, webhook_url, every_seconds, timeout_ms)"
        " SELECT 'http://10.0.' || (g / 250) || '.' || (g % 250) || '/health',"
        "        'http://127.0.0.1:9/hook', 60, 10000 FROM generate_series(1, $1) g",
        o.checks);
    txn.exec0(
        "INSERT INTO check_states (check_id, state, state_changed_at)"
        " SELECT id, CASE WHEN random() < 0.001 THEN 2 WHEN random() < 0.0005 THEN 3 ELSE 1 END,"
        "        now() - random() * interval '1 day' FROM checks");
    txn.exec0(
        "INSERT INTO transitions (check_id, from_state, to_state, at, slot_ms, status_code,"
        " latency_ns) SELECT check_id, 1, state, state_changed_at, 0, 500, 1000000"
        " FROM check_states WHERE state <> 1");
    labels = !txn.exec(
                     "SELECT 1 FROM information_schema.columns WHERE table_name = 'checks'"
                     " AND column_name = 'labels'")
                  .empty();
    txn.exec_params0(
        "CREATE TEMP TABLE public_checks AS SELECT id FROM checks ORDER BY created_at, id"
        " LIMIT $1",
        o.public_checks);
    if (labels) {
      txn.exec0(
          "UPDATE checks SET labels = '{\"public\":\"true\"}', name = 'Service ' || left(id::text,"
          " 8) WHERE id IN (SELECT id FROM public_checks)");
    }
    txn.exec0(
        "INSERT INTO daily_uptime (check_id, day, probes, up)"
        " SELECT id, current_date - d, 1440, 1440 - (random() * 3)::int"
        " FROM public_checks, generate_series(1, 95) d");
    txn.exec0(
        "INSERT INTO daily_uptime_days (day) SELECT current_date - d FROM generate_series(1, 95)"
        " d");
    txn.exec0(
        "INSERT INTO hourly_results (check_id, hour, probes, up, answered, latency_sum_ns,"
        " latency_sum_squares, latency_buckets)"
        " SELECT id, lokahi_hour_floor(now()) - h * interval '1 hour', 60, 60, 60, 0, 0, '{}'"
        " FROM public_checks, generate_series(0, 23) h");
    // The published checks' finished hours, as lokahid's hourly maintenance keeps them.
    if (labels) txn.exec("SELECT lokahi_refresh_uptime_hours()");
    txn.commit();
    pqxx::nontransaction(sql).exec0("VACUUM ANALYZE");
    std::printf("filled %ld checks (%ld public%s) in %.1f s\n", o.checks, o.public_checks,
                labels ? "" : "; no labels column yet: the status page is not timed",
                Ms(Clock::now() - fill_start) / 1000);
  }

  postgres::ConnectionPool pool(url, 4);
  lokahid::PgConsoleQueries console(pool);
  lokahid::PgStatusPageQueries status(pool);
  const auto now = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  std::vector<double> overview, status_page;
  size_t bytes = 0, shown = 0;
  for (int i = 0; i < o.rounds; ++i) {
    const auto start = Clock::now();
    lokahid::OverviewData data{
        console.CountByState(), console.FailingNow(50), console.RecentTransitions(10), {}};
    bytes = lokahid::OverviewBody(data, now()).str().size();
    overview.push_back(Ms(Clock::now() - start));
  }
  for (int i = 0; labels && i < o.rounds; ++i) {
    const auto start = Clock::now();
    const auto page = status.Page("", now());
    shown = page.checks.size();
    bytes = lokahid::StatusPageHtml(page).size();
    status_page.push_back(Ms(Clock::now() - start));
  }
  std::vector<double> counts, failing, recent;
  for (int i = 0; i < std::min(o.rounds, 50); ++i) {
    auto start = Clock::now();
    console.CountByState();
    counts.push_back(Ms(Clock::now() - start));
    start = Clock::now();
    console.FailingNow(50);
    failing.push_back(Ms(Clock::now() - start));
    start = Clock::now();
    console.RecentTransitions(10);
    recent.push_back(Ms(Clock::now() - start));
  }
  const auto c = console.CountByState();
  std::printf("counts: %lld UP, %lld DOWN, %lld ERROR, %lld INIT (of %lld)\n", (long long)c.up,
              (long long)c.down, (long long)c.error, (long long)c.init, (long long)c.total());
  Report("overview (counts, failing, recent)", overview);
  Report("  of which counts by state", counts);
  Report("  of which failing now", failing);
  Report("  of which recent changes", recent);
  if (labels) {
    Report("status page (public checks, 90 bars)", status_page);
    std::vector<double> query, render;
    for (int i = 0; i < std::min(o.rounds, 20); ++i) {
      auto start = Clock::now();
      const auto page = status.Page("", now());
      query.push_back(Ms(Clock::now() - start));
      start = Clock::now();
      lokahid::StatusPageHtml(page);
      render.push_back(Ms(Clock::now() - start));
    }
    Report("  of which queries", query);
    Report("  of which rendering", render);
  }
  std::printf("status page showed %zu checks, %zu bytes\n", shown, bytes);
  return 0;
}
