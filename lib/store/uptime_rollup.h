#pragma once
// Per-day uptime counts, so the 30-day uptime survives the raw results' retention (7 days by
// default). lokahid's scheduler runs this with its hourly maintenance.

#include <pqxx/pqxx>

namespace lokahi::store {

// Counts every finished day of the last 31 not counted yet into daily_uptime (probes and UP
// probes per check), marks it in daily_uptime_days, and forgets daily counts older than 100 days
// (the 90-day bars of the status page and console) and hourly_results older than 40. A day is
// finished 10 minutes after its midnight, so results a batch writes late still count. Must run
// before the day's results are dropped; returns the number of days counted. One GROUP BY over a
// day's results each: at 600,000 probes a minute that is minutes of one core, once a day. Also
// refreshes the finished hours the status page reads for published checks (migration 144).
int RollUpDailyUptime(pqxx::work& txn);

}  // namespace lokahi::store
