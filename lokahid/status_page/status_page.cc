#include "lokahid/status_page/status_page.h"

#include <cstdlib>
#include <map>
#include <pqxx/pqxx>

namespace lokahi::lokahid {

namespace {

constexpr const char* kSelectPublished =
    "SELECT c.id::text, c.name, coalesce(s.state, 0), "
    " coalesce(extract(epoch FROM s.state_changed_at), 0)::bigint"
    " FROM checks c LEFT JOIN check_states s ON s.check_id = c.id";

std::string UuidArray(const std::vector<PublicCheck>& checks) {
  std::string out = "{";
  for (size_t i = 0; i < checks.size(); ++i) {
    if (i) out += ',';
    out += checks[i].id;  // from the uuid column: hex and dashes only
  }
  return out + "}";
}

PublicCheck CheckOf(const pqxx::row& row) {
  PublicCheck check;
  check.id = row[0].as<std::string>();
  check.name = row[1].as<std::string>();
  if (check.name.empty()) check.name = "Check " + check.id.substr(0, 8);
  check.state = static_cast<checks::State>(row[2].as<int>());
  check.since_unix_s = row[3].as<int64_t>();
  return check;
}

// Per check, its days of the last 90 as "age probes up" triples (age 0 = today, UTC): finished
// days from daily_uptime, the rest from hourly_results. One row per check, so a page of 1,000
// checks reads 1,000 rows, not 90,000.
constexpr const char* kDaysSql = R"sql(
WITH counted AS (SELECT coalesce(max(day), '1970-01-01'::date) AS last FROM daily_uptime_days),
     today AS (SELECT (now() AT TIME ZONE 'UTC')::date AS d),
     days AS (
       SELECT d.check_id, d.day, d.probes, d.up
       FROM daily_uptime d, counted, today
       WHERE d.check_id = ANY($1::uuid[]) AND d.day > today.d - $2::int AND d.day <= counted.last
       UNION ALL
       SELECT h.check_id, (h.hour AT TIME ZONE 'UTC')::date, sum(h.probes), sum(h.up)
       FROM hourly_results h, counted, today
       WHERE h.check_id = ANY($1::uuid[])
         AND h.hour >= (greatest(counted.last + 1, today.d - ($2::int - 1))::timestamp
                        AT TIME ZONE 'UTC')
       GROUP BY 1, 2)
SELECT days.check_id::text,
       string_agg((today.d - days.day) || ' ' || days.probes || ' ' || days.up, ' ')
FROM days, today GROUP BY days.check_id
)sql";

// Parses "age probes up age probes up ...".
std::vector<DayUptime> ParseDays(const char* text) {
  std::vector<DayUptime> days;
  char* end = nullptr;
  while (*text) {
    DayUptime day;
    day.age = static_cast<int>(std::strtol(text, &end, 10));
    if (end == text) break;
    day.probes = std::strtoll(end, &end, 10);
    day.up = std::strtoll(end, &end, 10);
    text = end;
    days.push_back(day);
  }
  return days;
}

PublicUptime Ratio(int64_t probes, int64_t up) {
  return {probes > 0 ? static_cast<double>(up) / static_cast<double>(probes) : 0.0, probes};
}

}  // namespace

// Daily bars and the 7/30/90-day uptime from daily counts (calendar days, today included); the
// 24 h uptime from the hourly rollup. Two statements for all the checks at once, on one pool
// connection.
void PgStatusPageQueries::Complete(std::vector<PublicCheck>& checks) {
  if (checks.empty()) return;
  const std::string ids = UuidArray(checks);
  std::map<std::string, std::vector<DayUptime>> days;
  std::map<std::string, std::pair<int64_t, int64_t>> last_day;
  {
    auto connection = pool_.Acquire();
    pqxx::read_transaction txn(*connection);
    for (const auto& row : txn.exec_params(kDaysSql, ids, kStatusPageDays)) {
      days[row[0].as<std::string>()] = ParseDays(row[1].c_str());
    }
    for (const auto& row : txn.exec_params(
             "SELECT check_id::text, sum(probes)::bigint, sum(up)::bigint FROM hourly_results"
             " WHERE check_id = ANY($1::uuid[]) AND hour > now() - interval '24 hours'"
             " GROUP BY 1",
             ids)) {
      last_day[row[0].as<std::string>()] = {row[1].as<int64_t>(), row[2].as<int64_t>()};
    }
  }
  for (auto& check : checks) {
    check.days = std::move(days[check.id]);
    const auto [probes_24h, up_24h] = last_day[check.id];
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
  }
}

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
         txn.exec_params(std::string(kSelectPublished) + " WHERE c.labels @> $1::jsonb"
                                                         " ORDER BY c.name, c.id LIMIT $2",
                         selector, kStatusPageMaxChecks)) {
      page.checks.push_back(CheckOf(row));
    }
  }
  Complete(page.checks);
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
         txn.exec_params(std::string(kSelectPublished) + " WHERE c.id = $1::uuid AND"
                                                         " (c.labels @> '{\"public\":\"true\"}'"
                                                         "  OR c.labels ? 'status-page')",
                         check_id->str())) {
      found.push_back(CheckOf(row));
    }
  }
  if (found.empty()) return std::nullopt;
  Complete(found);
  return found[0];
}

}  // namespace lokahi::lokahid
