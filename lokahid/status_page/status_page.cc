#include "lokahid/status_page/status_page.h"

#include <cstdlib>
#include <pqxx/pqxx>

namespace lokahi::lokahid {

namespace {

// The published checks with everything their rows show, in one statement: per check its row of
// finished days (uptime_bars, migration 143: "day probes up" triples, day = days since
// 1970-01-01 UTC), the finished hours lokahid's hourly maintenance keeps there (migration 144:
// "hour probes up", hour = hours since the epoch, up to hours_through) and the hours after those
// from hourly_results (a row or two; all of the window for a check published since the last
// refresh). Hours give the last 24 hours, today, and yesterday while daily_uptime does not count
// it yet (the rollup runs hourly from 00:10; a day further back that a stopped lokahid left
// uncounted shows once the rollup catches up). Both rollups already leave out what maintenance
// covered and INCONCLUSIVE probes (the hourly trigger of migrations 130/150 and the daily
// rollup), the rule the Status API's uptime uses. $1 is the WHERE clause's parameter, $2 the
// LIMIT.
constexpr const char* kPublishedSql = R"sql(
WITH b AS (
  SELECT (now() AT TIME ZONE 'UTC')::date AS today,
         coalesce((SELECT max(day) FROM daily_uptime_days), '1970-01-01'::date) AS counted)
SELECT c.id::text, c.name, coalesce(s.state, 0),
       coalesce(extract(epoch FROM s.state_changed_at), 0)::bigint,
       b.today - date '1970-01-01', b.counted - date '1970-01-01', extract(epoch FROM now())::bigint,
       coalesce(u.days, ''), coalesce(u.hours, ''), coalesce(h.hours, '')
FROM checks c
CROSS JOIN b
LEFT JOIN check_states s ON s.check_id = c.id
LEFT JOIN uptime_bars u ON u.check_id = c.id
LEFT JOIN LATERAL (
  SELECT string_agg((extract(epoch FROM hr.hour)::bigint / 3600) || ' ' || hr.probes || ' '
                    || hr.up, ' ') AS hours
  FROM hourly_results hr
  WHERE hr.check_id = c.id
    AND hr.hour >= greatest(coalesce(u.hours_through, '-infinity'),
                            least(now() - interval '24 hours',
                                  (greatest(b.counted + 1, b.today - 1)::timestamp
                                   AT TIME ZONE 'UTC')))) h ON true
)sql";

struct Triple {
  int64_t at = 0, probes = 0, up = 0;
};

// Calls `use` with each "at probes up" triple of `text`.
template <typename Use>
void ForEachTriple(const char* text, Use use) {
  char* end = nullptr;
  while (*text) {
    Triple t;
    t.at = std::strtoll(text, &end, 10);
    if (end == text) break;
    t.probes = std::strtoll(end, &end, 10);
    t.up = std::strtoll(end, &end, 10);
    text = end;
    use(t);
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
  const auto now_s = row[6].as<int64_t>();
  ForEachTriple(row[7].c_str(), [&](const Triple& day) {
    const auto age = static_cast<int>(today - day.at);
    if (day.at <= counted && age >= 0 && age < kStatusPageDays) {
      check.days.push_back({"", day.probes, day.up, age});
    }
  });
  // Hours: the last 24 hours (hours starting after now - 24 h), and today and yesterday when
  // daily_uptime does not count them, appended to the days (oldest first).
  int64_t probes_24h = 0, up_24h = 0;
  DayUptime recent[2];  // yesterday, today
  const auto add_hour = [&](const Triple& hour) {
    const int64_t start_s = hour.at * 3600;
    if (start_s > now_s - 86400) {
      probes_24h += hour.probes;
      up_24h += hour.up;
    }
    const int64_t day = start_s / 86400;
    if (day > counted && day <= today && today - day <= 1) {
      auto& d = recent[1 - (today - day)];
      d.probes += hour.probes;
      d.up += hour.up;
    }
  };
  ForEachTriple(row[8].c_str(), add_hour);
  ForEachTriple(row[9].c_str(), add_hour);
  for (int i = 0; i < 2; ++i) {
    recent[i].age = 1 - i;
    if (recent[i].probes > 0) check.days.push_back(recent[i]);
  }
  check.uptime_24h = Ratio(probes_24h, up_24h);
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
