#include "lokahid/status_page/status_page.h"

#include <cstdlib>
#include <pqxx/pqxx>

namespace lokahi::lokahid {

namespace {

// The published checks with everything their rows show, in one statement: per check its row of
// finished days (uptime_bars, migration 143: "day probes up" triples, day = days since
// 1970-01-01 UTC) and, from hourly_results (about 24 rows), today's probes and UP probes,
// yesterday's while daily_uptime does not count it yet (the rollup runs hourly from 00:10; a
// day further back that a stopped lokahid left uncounted shows once the rollup catches up) and
// the last 24 hours'. Both
// rollups already leave out what maintenance covered and INCONCLUSIVE probes (the hourly
// trigger of migrations 130/150 and the daily rollup), the rule the Status API's uptime uses.
// $1 is the WHERE clause's parameter, $2 the LIMIT.
constexpr const char* kPublishedSql = R"sql(
WITH b AS (
  SELECT (now() AT TIME ZONE 'UTC')::date AS today,
         coalesce((SELECT max(day) FROM daily_uptime_days), '1970-01-01'::date) AS counted)
SELECT c.id::text, c.name, coalesce(s.state, 0),
       coalesce(extract(epoch FROM s.state_changed_at), 0)::bigint,
       b.today - date '1970-01-01', b.counted - date '1970-01-01', coalesce(u.days, ''),
       coalesce(h.probes_24h, 0), coalesce(h.up_24h, 0), coalesce(h.probes_0, 0),
       coalesce(h.up_0, 0), coalesce(h.probes_1, 0), coalesce(h.up_1, 0)
FROM checks c
CROSS JOIN b
LEFT JOIN check_states s ON s.check_id = c.id
LEFT JOIN uptime_bars u ON u.check_id = c.id
LEFT JOIN LATERAL (
  SELECT sum(hr.probes) FILTER (WHERE hr.hour >= b.today::timestamp AT TIME ZONE 'UTC')
           AS probes_0,
         sum(hr.up) FILTER (WHERE hr.hour >= b.today::timestamp AT TIME ZONE 'UTC') AS up_0,
         sum(hr.probes) FILTER (WHERE hr.hour < b.today::timestamp AT TIME ZONE 'UTC'
                                  AND b.counted < b.today - 1) AS probes_1,
         sum(hr.up) FILTER (WHERE hr.hour < b.today::timestamp AT TIME ZONE 'UTC'
                              AND b.counted < b.today - 1) AS up_1,
         sum(hr.probes) FILTER (WHERE hr.hour > now() - interval '24 hours') AS probes_24h,
         sum(hr.up) FILTER (WHERE hr.hour > now() - interval '24 hours') AS up_24h
  FROM hourly_results hr
  WHERE hr.check_id = c.id
    AND hr.hour >= least(now() - interval '24 hours',
                         (greatest(b.counted + 1, b.today - 1)::timestamp AT TIME ZONE 'UTC'))) h
  ON true
)sql";

// Appends the "day probes up ..." triples of `text` with day <= `through` (days since the epoch)
// as days of age today - day, keeping those of the last kStatusPageDays.
void AppendDays(const char* text, int64_t today, int64_t through, std::vector<DayUptime>& days) {
  char* end = nullptr;
  while (*text) {
    const int64_t day = std::strtoll(text, &end, 10);
    if (end == text) break;
    DayUptime d;
    d.probes = std::strtoll(end, &end, 10);
    d.up = std::strtoll(end, &end, 10);
    text = end;
    d.age = static_cast<int>(today - day);
    if (day <= through && d.age >= 0 && d.age < kStatusPageDays) days.push_back(d);
  }
}

PublicUptime Ratio(int64_t probes, int64_t up) {
  return {probes > 0 ? static_cast<double>(up) / static_cast<double>(probes) : 0.0, probes};
}

// Daily bars and the 7/30/90-day uptime from daily counts (calendar days, today included); the
// 24 h uptime from the hourly rollup.
PublicCheck CheckOf(const pqxx::row& row) {
  PublicCheck check;
  check.id = row[0].as<std::string>();
  check.name = row[1].as<std::string>();
  if (check.name.empty()) check.name = "Check " + check.id.substr(0, 8);
  check.state = static_cast<checks::State>(row[2].as<int>());
  check.since_unix_s = row[3].as<int64_t>();
  const auto today = row[4].as<int64_t>();
  const auto counted = row[5].as<int64_t>();
  AppendDays(row[6].c_str(), today, counted, check.days);
  // Yesterday (when not counted yet) and today, after the counted days.
  for (int age = 1; age >= 0; --age) {
    DayUptime day;
    day.age = age;
    day.probes = row[9 + 2 * age].as<int64_t>();
    day.up = row[10 + 2 * age].as<int64_t>();
    if (day.probes > 0) check.days.push_back(day);
  }
  check.uptime_24h = Ratio(row[7].as<int64_t>(), row[8].as<int64_t>());
  int64_t probes[3] = {0, 0, 0}, up[3] = {0, 0, 0};
  constexpr int kWindows[3] = {7, 30, 90};
  for (const auto& day : check.days) {
    for (int w = 0; w < 3; ++w) {
      if (day.age < kWindows[w]) {
        probes[w] += day.probes;
        up[w] += day.up;
      }
    }
  }
  check.uptime_7d = Ratio(probes[0], up[0]);
  check.uptime_30d = Ratio(probes[1], up[1]);
  check.uptime_90d = Ratio(probes[2], up[2]);
  return check;
}

}  // namespace

std::string_view BannerText(Banner banner) {
  switch (banner) {
    case Banner::kOperational:
      return "All systems operational";
    case Banner::kPartialOutage:
      return "Partial outage";
    case Banner::kMajorOutage:
      return "Major outage";
    case Banner::kNoChecks:
      break;
  }
  return "No public checks yet";
}

std::string_view BannerKey(Banner banner) {
  switch (banner) {
    case Banner::kOperational:
      return "operational";
    case Banner::kPartialOutage:
      return "partial_outage";
    case Banner::kMajorOutage:
      return "major_outage";
    case Banner::kNoChecks:
      break;
  }
  return "no_checks";
}

Banner BannerOf(const std::vector<PublicCheck>& checks) {
  if (checks.empty()) return Banner::kNoChecks;
  size_t failing = 0;
  for (const auto& c : checks) {
    if (c.state == checks::State::kDown || c.state == checks::State::kError) ++failing;
  }
  if (failing == 0) return Banner::kOperational;
  return failing == checks.size() ? Banner::kMajorOutage : Banner::kPartialOutage;
}

std::optional<std::string> ParseSlug(std::string_view text) {
  if (text.empty() || text.size() > 63) return std::nullopt;
  for (const char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) {
      return std::nullopt;
    }
  }
  return std::string(text);
}

StatusPageData PgStatusPageQueries::Page(const std::string& slug, int64_t now_unix_s) {
  StatusPageData page;
  page.slug = slug;
  page.generated_unix_s = now_unix_s;
  // Label values never contain '"' or '\' (checkopts' rules; ParseSlug's too): no JSON escaping.
  const std::string selector =
      slug.empty() ? R"({"public":"true"})" : R"({"status-page":")" + slug + R"("})";
  {
    auto connection = pool_.Acquire();
    pqxx::read_transaction txn(*connection);
    for (const auto& row :
         txn.exec_params(std::string(kPublishedSql) + " WHERE c.labels @> $1::jsonb"
                                                      " ORDER BY c.name, c.id LIMIT $2",
                         selector, kStatusPageMaxChecks)) {
      page.checks.push_back(CheckOf(row));
    }
  }
  page.banner = BannerOf(page.checks);
  return page;
}

std::optional<PublicCheck> PgStatusPageQueries::PublicCheckById(const std::string& id,
                                                                int64_t now_unix_s) {
  const auto check_id = checks::CheckId::Parse(id);
  if (!check_id) return std::nullopt;
  std::vector<PublicCheck> found;
  {
    auto connection = pool_.Acquire();
    pqxx::read_transaction txn(*connection);
    for (const auto& row :
         txn.exec_params(std::string(kPublishedSql) + " WHERE c.id = $1::uuid AND"
                                                      " (c.labels @> '{\"public\":\"true\"}'"
                                                      "  OR c.labels ? 'status-page')",
                         check_id->str())) {
      found.push_back(CheckOf(row));
    }
  }
  if (found.empty()) return std::nullopt;
  return found[0];
}

}  // namespace lokahi::lokahid
