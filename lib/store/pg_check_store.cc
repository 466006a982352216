#include "lib/store/pg_check_store.h"

#include <pqxx/pqxx>

#include "lib/checks/options_json.h"
#include "lib/store/pg_time.h"

namespace lokahi::store {
namespace {

// Checks per check_list_blocks row, as migration 104 fills them.
constexpr int kListBlockSize = 1000;

// Selected columns, in the order CheckFromRow reads them.
constexpr const char* kCheckColumns =
    "c.id::text, c.url, c.webhook_url, c.playbook_url, c.every_seconds, c.timeout_ms,"
    " c.expected_status, c.failure_threshold, c.recovery_threshold, c.webhook_format,"
    " c.webhook_secret, c.webhook_response_time_ns,"
    " (extract(epoch from c.created_at) * 1000000)::bigint,"
    " (extract(epoch from c.updated_at) * 1000000)::bigint,"
    " coalesce(s.state, 0),"
    " (extract(epoch from s.state_changed_at) * 1000000)::bigint,"
    " c.notify_failure_kind_change, c.name, c.labels::text, c.enabled, c.probe::text";

checks::Check CheckFromRow(const pqxx::row& row) {
  checks::Check check;
  check.id = row[0].as<std::string>();
  auto& o = check.options;
  o.url = row[1].as<std::string>();
  o.webhook_url = row[2].as<std::string>();
  o.playbook_url = row[3].as<std::string>();
  o.every_seconds = row[4].as<int>();
  o.timeout_ms = row[5].as<int>();
  o.expected_status = row[6].as<int>();
  o.failure_threshold = row[7].as<int>();
  o.recovery_threshold = row[8].as<int>();
  o.webhook_format = static_cast<checks::WebhookFormat>(row[9].as<int>());
  o.webhook_secret = row[10].as<std::string>();
  check.webhook_response_time_ns = row[11].as<long long>();
  check.created_at = FromUnixMicros(row[12].as<long long>());
  check.updated_at = FromUnixMicros(row[13].as<long long>());
  check.state = static_cast<checks::State>(row[14].as<int>());
  if (!row[15].is_null()) check.state_changed_at = FromUnixMicros(row[15].as<long long>());
  o.notify_failure_kind_change = row[16].as<bool>();
  o.name = row[17].as<std::string>();
  o.labels = checks::LabelsFromJson(row[18].as<std::string>());
  o.enabled = row[19].as<bool>();
  checks::ProbeFromJson(row[20].as<std::string>(), o);
  return check;
}

// The checks a ListFilter keeps, on `c` (checks) and `s` (check_states); $3..$6 are the state,
// the selector's key=value pairs, the whole selector and the search pattern (NULL: that filter
// is off). With a state, the page walks check_states_by_state, which holds that state's checks
// in List's order; otherwise List's order itself. Either way a page reads about as many rows as
// it needs matches, the other filters checked on each; a rare label or substring is found
// through checks_labels (GIN: @> of the key=value pairs) or checks_search (trigrams) instead.
constexpr const char* kListFilterSql =
    " ($4::jsonb IS NULL OR c.labels @> $4::jsonb)"
    " AND ($5::jsonb IS NULL OR lokahi_labels_match(c.labels, $5::jsonb))"
    " AND ($6::text IS NULL OR (c.name || E'\\n' || c.url) ILIKE $6)";

// `text` as an ILIKE pattern matching it anywhere.
std::string ContainsPattern(const std::string& text) {
  std::string pattern = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

std::optional<std::string> NonEmpty(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

ChecksPage PageFromRows(const pqxx::result& rows) {
  ChecksPage page;
  page.checks.reserve(rows.size());
  size_t page_bytes = 0;
  for (const auto& row : rows) {
    auto check = CheckFromRow(row);
    page_bytes += ListedBytes(check);
    if (!page.checks.empty() && page_bytes > kMaxListPageBytes) {
      page.cut_short = true;
      break;
    }
    page.checks.push_back(std::move(check));
  }
  return page;
}

// List with a filter: the page's ids from the filters' indexes, then its rows. Parallel workers
// cost more to start than such a page costs to read.
pqxx::result ListFiltered(pqxx::read_transaction& txn, int count, int offset,
                          const std::optional<ListCursor>& after, const ListFilter& filter) {
  std::optional<int> state;
  if (filter.state) state = static_cast<int>(*filter.state);
  const auto contained = NonEmpty(filter.labels_contained);
  const auto selector = NonEmpty(filter.selector_json);
  std::optional<std::string> search;
  if (!filter.search.empty()) search = ContainsPattern(filter.search);
  txn.exec0("SET LOCAL max_parallel_workers_per_gather = 0");
  // Each order reads an index in its keys' order (created: checks' or, with a state, check_states'
  // (state, list_created_at, check_id); name: checks_by_name; state: check_states_by_state
  // backwards; since: check_states_by_change backwards, migration 145) and continues after the
  // cursor ($7...) by comparing the same keys.
  std::string from = state ? " FROM check_states s JOIN checks c ON c.id = s.check_id"
                             " WHERE s.state = $3 AND"
                           : " FROM checks c WHERE $3::smallint IS NULL AND";
  std::string keys, ordered, cursor;
  switch (filter.order) {
    case ListOrder::kCreated:
      keys = ordered = state ? "s.list_created_at, s.check_id" : "c.created_at, c.id";
      cursor = " > ('epoch'::timestamptz + $7 * interval '1 microsecond', $8::uuid)";
      break;
    case ListOrder::kName:
      keys = ordered = "c.name, c.id";
      cursor = " > ($7::text, $8::uuid)";
      from =
          " FROM checks c LEFT JOIN check_states s ON s.check_id = c.id"
          " WHERE ($3::smallint IS NULL OR s.state = $3) AND";
      break;
    case ListOrder::kStateFailingFirst:
      keys = "s.state, s.list_created_at, s.check_id";
      ordered = "s.state DESC, s.list_created_at DESC, s.check_id DESC";
      cursor = " < ($7::smallint, 'epoch'::timestamptz + $8 * interval '1 microsecond', $9::uuid)";
      break;
    case ListOrder::kSinceNewest:
      keys = "coalesce(s.state_changed_at, 'epoch'::timestamptz), s.check_id";
      ordered = "coalesce(s.state_changed_at, 'epoch'::timestamptz) DESC, s.check_id DESC";
      cursor = " < ('epoch'::timestamptz + $7 * interval '1 microsecond', $8::uuid)";
      break;
  }
  if (filter.order == ListOrder::kStateFailingFirst || filter.order == ListOrder::kSinceNewest) {
    from =
        " FROM check_states s JOIN checks c ON c.id = s.check_id"
        " WHERE ($3::smallint IS NULL OR s.state = $3) AND";
  }
  // The outer query names checks c and check_states s as the page's does: same order.
  const std::string sql = "WITH page AS (SELECT c.id" + from + kListFilterSql +
                          (after ? " AND (" + keys + ")" + cursor : std::string()) + " ORDER BY " +
                          ordered + " LIMIT $1 OFFSET $2) SELECT " + kCheckColumns +
                          " FROM page JOIN checks c ON c.id = page.id"
                          " LEFT JOIN check_states s ON s.check_id = c.id ORDER BY " +
                          ordered;
  const auto run = [&](const auto&... cursor_values) {
    return txn.exec_params(sql, count, offset, state, contained, selector, search,
                           cursor_values...);
  };
  if (!after) return run();
  switch (filter.order) {
    case ListOrder::kName:
      return run(after->name, after->id);
    case ListOrder::kStateFailingFirst:
      return run(after->state, after->created_unix_us, after->id);
    case ListOrder::kSinceNewest:
      return run(after->since_unix_us, after->id);
    case ListOrder::kCreated:
      break;
  }
  return run(after->created_unix_us, after->id);
}

// Runs `write`, turning the unique index on names into NameTaken.
template <typename Write>
auto UniqueName(const std::string& name, Write&& write) {
  try {
    return write();
  } catch (const pqxx::unique_violation& e) {
    if (std::string(e.what()).find("checks_name") == std::string::npos) throw;
    throw NameTaken(name);
  }
}

std::string SelectById() {
  return std::string("SELECT ") + kCheckColumns +
         " FROM checks c LEFT JOIN check_states s ON s.check_id = c.id WHERE c.id = $1::uuid";
}

}  // namespace

checks::Check PgCheckStore::Create(const checks::CheckOptions& o) {
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  const auto inserted = UniqueName(o.name, [&] {
    return txn.exec_params(
        "INSERT INTO checks (url, webhook_url, playbook_url, every_seconds, timeout_ms,"
        " expected_status, failure_threshold, recovery_threshold, webhook_format, webhook_secret,"
        " notify_failure_kind_change, name, labels, enabled, probe)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15::jsonb)"
        " RETURNING id::text",
        o.url, o.webhook_url, o.playbook_url, o.every_seconds, o.timeout_ms, o.expected_status,
        o.failure_threshold, o.recovery_threshold, static_cast<int>(o.webhook_format),
        o.webhook_secret, o.notify_failure_kind_change, o.name, checks::LabelsToJson(o.labels),
        o.enabled, checks::ProbeToJson(o));
  });
  const auto id = inserted[0][0].as<std::string>();
  txn.exec_params("INSERT INTO check_states (check_id) VALUES ($1::uuid)", id);
  const auto row = txn.exec_params1(SelectById(), id);
  txn.commit();
  return CheckFromRow(row);
}

std::optional<checks::Check> PgCheckStore::Get(const checks::CheckId& id) {
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  const auto rows = txn.exec_params(SelectById(), id.str());
  if (rows.empty()) return std::nullopt;
  return CheckFromRow(rows[0]);
}

ChecksPage PgCheckStore::List(int count, int offset, const std::optional<ListCursor>& after,
                              const ListFilter& filter) {
  auto connection = pool_.Acquire();
  pqxx::read_transaction txn(*connection);
  // The page's ids first, from the (created_at, id) index alone: skipping `offset` rows then
  // reads index pages only, where reading whole rows while skipping took ~2 s at 1,000,000.
  const auto query = [&](const std::string& start, const std::string& where,
                         const std::string& skip) {
    return "WITH " + start + "page AS (SELECT id, created_at FROM checks" + where +
           " ORDER BY created_at, id LIMIT $1 OFFSET " + skip + ") SELECT " + kCheckColumns +
           " FROM page JOIN checks c ON c.id = page.id"
           " LEFT JOIN check_states s ON s.check_id = c.id"
           " ORDER BY page.created_at, page.id";
  };
  pqxx::result rows;
  if (!filter.empty()) {
    rows = ListFiltered(txn, count, offset, after, filter);
  } else if (after) {
    rows = txn.exec_params(query("",
                                 " WHERE (created_at, id) > ('epoch'::timestamptz"
                                 " + $3 * interval '1 microsecond', $4::uuid)",
                                 "$2"),
                           count, offset, after->created_unix_us, after->id);
  } else if (offset >= kListBlockSize) {
    // A deep offset starts at the block holding that position (schema migration 104), so the
    // walk is at most about a block long instead of `offset` rows (~120 ms at 500,000).
    rows = txn.exec_params(
        query("start AS (SELECT first_created_at, first_id, $2 - before AS skip"
              " FROM (SELECT first_created_at, first_id,"
              "   (sum(checks) OVER (ORDER BY first_created_at, first_id) - checks)::bigint"
              "   AS before"
              "   FROM (SELECT first_created_at, first_id, sum(checks)::bigint AS checks FROM ("
              "     SELECT first_created_at, first_id, checks FROM check_list_blocks"
              "     UNION ALL SELECT first_created_at, first_id, checks FROM check_list_deltas)"
              "     parts GROUP BY 1, 2) counted) b"
              " WHERE before <= $2 ORDER BY first_created_at DESC, first_id DESC LIMIT 1), ",
              " WHERE (created_at, id) >= (SELECT first_created_at, first_id FROM start)",
              "(SELECT skip FROM start)"),
        count, offset);
  } else {
    rows = txn.exec_params(query("", "", "$2"), count, offset);
  }
  ChecksPage page = PageFromRows(rows);
  // Counting a million rows costs tens of milliseconds on every page, so past kExactTotalUpTo
  // checks the total is the planner's estimate (kept fresh by autovacuum's analyze).
  const auto estimate =
      txn.exec1("SELECT reltuples::bigint FROM pg_class WHERE oid = 'checks'::regclass")[0]
          .as<long long>();
  page.total = estimate > kExactTotalUpTo
                   ? estimate
                   : txn.exec1("SELECT count(*) FROM checks")[0].as<long long>();
  return page;
}

ModifyOutcome PgCheckStore::Modify(const checks::CheckId& id, const OptionsEdit& edit) {
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  // The row lock holds a concurrent Modify (or Delete) of this check until we commit.
  const auto locked = txn.exec_params(SelectById() + " FOR UPDATE OF c", id.str());
  ModifyOutcome outcome;
  if (locked.empty()) return outcome;
  outcome.found = true;
  checks::CheckOptions options = CheckFromRow(locked[0]).options;
  outcome.refused = edit(options);
  if (outcome.refused) return outcome;
  const auto& o = options;
  // Only a real change takes a new version: the scheduler reacts to versions, and a tool that
  // re-applies unchanged checks should cost it nothing.
  UniqueName(o.name, [&] {
    return txn.exec_params(
        "UPDATE checks SET url = $2, webhook_url = $3, playbook_url = $4, every_seconds = $5,"
        " timeout_ms = $6, expected_status = $7, failure_threshold = $8, recovery_threshold = $9,"
        " webhook_format = $10, webhook_secret = $11, notify_failure_kind_change = $12,"
        " name = $13, labels = $14::jsonb, enabled = $15, probe = $16::jsonb,"
        " updated_at = clock_timestamp(), version = nextval('check_versions') WHERE id = $1::uuid"
        " AND (url, webhook_url, playbook_url, every_seconds, timeout_ms, expected_status,"
        " failure_threshold, recovery_threshold, webhook_format, webhook_secret,"
        " notify_failure_kind_change, name, labels, enabled, probe)"
        " IS DISTINCT FROM ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15,"
        " $16::jsonb)",
        id.str(), o.url, o.webhook_url, o.playbook_url, o.every_seconds, o.timeout_ms,
        o.expected_status, o.failure_threshold, o.recovery_threshold,
        static_cast<int>(o.webhook_format), o.webhook_secret, o.notify_failure_kind_change, o.name,
        checks::LabelsToJson(o.labels), o.enabled, checks::ProbeToJson(o));
  });
  const auto rows = txn.exec_params(SelectById(), id.str());
  txn.commit();
  outcome.check = CheckFromRow(rows[0]);
  return outcome;
}

std::optional<checks::Check> PgCheckStore::Delete(const checks::CheckId& id) {
  auto connection = pool_.Acquire();
  pqxx::work txn(*connection);
  const auto rows = txn.exec_params(SelectById() + " FOR UPDATE OF c", id.str());
  if (rows.empty()) return std::nullopt;
  auto check = CheckFromRow(rows[0]);
  txn.exec_params("DELETE FROM checks WHERE id = $1::uuid", id.str());
  txn.exec_params(
      "INSERT INTO check_tombstones (id) VALUES ($1::uuid)"
      " ON CONFLICT (id) DO UPDATE SET version = nextval('check_versions'), deleted_at = now()",
      id.str());
  txn.commit();
  return check;
}

}  // namespace lokahi::store
