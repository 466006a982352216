#pragma once
#include "lib/postgres/connection_pool.h"
#include "lib/store/check_store.h"

namespace lokahi::store {

// CheckStore over Postgres; borrows a connection from the pool per call.
class PgCheckStore final : public CheckStore {
 public:
  explicit PgCheckStore(postgres::ConnectionPool& pool) : pool_(pool) {}
  checks::Check Create(const checks::CheckOptions& options) override;
  std::optional<checks::Check> Get(const checks::CheckId& id) override;
  ChecksPage List(int count, int offset, const std::optional<ListCursor>& after,
                  const ListFilter& filter = {}) override;
  ModifyOutcome Modify(const checks::CheckId& id, const OptionsEdit& edit) override;
  std::optional<checks::Check> Delete(const checks::CheckId& id) override;

 private:
  postgres::ConnectionPool& pool_;
};

}  // namespace lokahi::store
