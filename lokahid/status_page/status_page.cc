#include "lokahid/status_page/status_page.h"

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

PublicUptime Ratio(int64_t probes, int64_t up) {
  return {probes > 0 ? static_cast<double>(up) / static_cast<double>(probes) : 0.0, probes};
}

// Daily bars and the 7/30/90-day uptime from daily counts (calendar days, today included); the
// 24 h uptime from the hourly rollup. Two index range reads for all the checks at once.
void FillUptime(pqxx::read_transaction& txn, std::vector<PublicCheck>& checks,
                const std::map<std::string, std::vector<DayUptime>>& days_by_check,
                int64_t now_unix_s) {
  std::map<std::string, std::pair<int64_t, int64_t>> last_day;
  for (const auto& row : txn.exec_params(
           "SELECT check_id::text, sum(probes)::bigint, sum(up)::bigint FROM hourly_results"
           " WHERE check_id = ANY($1::uuid[]) AND hour > now() - interval '24 hours'"
           " GROUP BY 1",
           UuidArray(checks))) {
    last_day[row[0].as<std::string>()] = {row[1].as<int64_t>(), row[2].as<int64_t>()};
  }
  for (auto& check : checks) {
    if (const auto found = days_by_check.find(check.id); found != days_by_check.end()) {
      check.days = found->second;
    }
    const auto [probes_24h, up_24h] = last_day[check.id];
    check.uptime_24h = Ratio(probes_24h, up_24h);
    int64_t probes[3] = {0, 0, 0}, up[3] = {0, 0, 0};
    constexpr int kWindows[3] = {7, 30, 90};
    const int64_t today = now_unix_s / 86400;
    for (const auto& day : check.days) {
      // "YYYY-MM-DD" -> days since the epoch.
      const int y = std::stoi(day.day.substr(0, 4)), m = std::stoi(day.day.substr(5, 2)),
                d = std::stoi(day.day.substr(8, 2));
      const int yy = y - (m <= 2);
      const int era = (yy >= 0 ? yy : yy - 399) / 400;
      const int yoe = yy - era * 400;
      const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
      const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
      const int64_t index = static_cast<int64_t>(era) * 146097 + doe - 719468;
      for (int w = 0; w < 3; ++w) {
        if (today - index < kWindows[w]) {
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
         txn.exec_params(std::string(kSelectPublished) + " WHERE c.labels @> $1::jsonb"
                                                         " ORDER BY c.name, c.id LIMIT $2",
                         selector, kStatusPageMaxChecks)) {
      page.checks.push_back(CheckOf(row));
    }
  }
  Complete(page.checks, now_unix_s);
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
  Complete(found, now_unix_s);
  return found[0];
}

// One pool connection at a time: never holds one while waiting for another.
void PgStatusPageQueries::Complete(std::vector<PublicCheck>& checks, int64_t now_unix_s) {
  if (checks.empty()) return;
  std::vector<std::string> ids;
  for (const auto& c : checks) ids.push_back(c.id);
  const auto days = PgConsoleQueries(pool_).DailyUptime(ids, kStatusPageDays);
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  FillUptime(txn, checks, days, now_unix_s);
}

}  // namespace lokahi::lokahid
