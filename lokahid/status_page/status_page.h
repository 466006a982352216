#pragma once
// The public status page's data: the checks a label publishes (public=true for /status,
// status-page=<slug> for /status/<slug>), each by name with its state, since when, 90 daily
// uptime bars and 24 h / 7 d / 30 d / 90 d uptime, and the overall banner. Only these fields
// ever leave this module: never a URL, webhook, header, secret or label. Read from indexes and
// rollups (uptime_bars, hourly_results), never raw results: one statement, one row per check.
// Thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/checks/check.h"
#include "lib/postgres/connection_pool.h"
#include "lokahid/console/console_queries.h"

namespace lokahi::lokahid {

inline constexpr int kStatusPageMaxChecks = 2000;
inline constexpr int kStatusPageDays = 90;

struct PublicUptime {
  double ratio = 0;
  int64_t probes = 0;  // 0: no data in the window
};

struct PublicCheck {
  std::string id;
  std::string name;  // the check's name; "Check <first 8 of id>" when it has none
  checks::State state = checks::State::kInit;
  int64_t since_unix_s = 0;
  std::vector<DayUptime> days;  // oldest first
  PublicUptime uptime_24h, uptime_7d, uptime_30d, uptime_90d;
};

enum class Banner { kOperational, kPartialOutage, kMajorOutage, kNoChecks };
std::string_view BannerText(Banner banner);
std::string_view BannerKey(Banner banner);  // "operational", "partial_outage", …

struct StatusPageData {
  std::string slug;  // "" for /status
  std::vector<PublicCheck> checks;
  Banner banner = Banner::kNoChecks;
  int64_t generated_unix_s = 0;
};

// DOWN or ERROR of all: major; of some: partial; none: operational.
Banner BannerOf(const std::vector<PublicCheck>& checks);

// A slug is [a-z0-9-]{1,63} (the label value's own rules are checkopts'); nullopt otherwise.
std::optional<std::string> ParseSlug(std::string_view text);

class PgStatusPageQueries final {
 public:
  explicit PgStatusPageQueries(postgres::ConnectionPool& pool) : pool_(pool) {}

  // The checks `slug` publishes ("" = public=true), by name.
  StatusPageData Page(const std::string& slug, int64_t now_unix_s);
  // The check with id `id` if a label publishes it (public=true or any status-page), else nullopt.
  std::optional<PublicCheck> PublicCheckById(const std::string& id, int64_t now_unix_s);

 private:
  postgres::ConnectionPool& pool_;
};

}  // namespace lokahi::lokahid
