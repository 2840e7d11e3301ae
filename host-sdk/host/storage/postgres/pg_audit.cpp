// PostgresStorage: the audit trail, appended durably and listed newest first with filters.
// Audit rows need no workspace row: the trail outlives whatever it mentions.
#include "storage/postgres/pg_storage.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "storage/postgres/pg_errors.h"
#include "storage/postgres/pg_prepared.h"

namespace host {

using pg::text;

namespace {

// Every request that writes appends one row: prepared, not planned per call.
constexpr pg::Prepared kInsert{
    "audit_insert",
    "INSERT INTO audit (time_ms, workspace, action, caller_id, target_id, client_address,"
    " outcome, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};

}  // namespace

Status PostgresStorage::append_audit(const AuditRecord& record) {
  // Within a request, committed in one transaction with the request's session writes, so a
  // token never outlives a crash without its "issued" row. It owns a copy of the record.
  pg::DeferrableWrite write;
  write.fn = [record](pqxx::transaction_base& txn) {
    pg::exec_prepared(txn, kInsert, record.time_ms, text(record.workspace), text(record.action),
                      text(record.caller_id), text(record.target_id), text(record.client_address),
                      text(record.outcome), text(record.reason));
    return Status::Ok();
  };
  return executor_.write_deferrable(std::move(write));
}

Result<std::vector<AuditRecord>> PostgresStorage::list_audit(const AuditFilter& filter) {
  // 0 means no limit.
  const auto limit = filter.limit == 0
                         ? std::numeric_limits<std::int64_t>::max()
                         : static_cast<std::int64_t>(std::min<std::size_t>(
                               filter.limit, std::numeric_limits<std::int64_t>::max()));
  std::vector<AuditRecord> records;
  Status status = executor_.read([&](pqxx::transaction_base& txn) {
    records.clear();
    // An empty filter field matches everything. Each call is planned with its values, so
    // the '' = '' terms fold away and the workspace index applies.
    auto rows = txn.exec_params(
        "SELECT id, time_ms, workspace, action, caller_id, target_id, client_address, outcome,"
        " reason FROM audit"
        " WHERE ($1 = '' OR workspace = $1) AND ($2 = '' OR caller_id = $2)"
        " AND ($3 = '' OR target_id = $3) AND ($4 = '' OR outcome = $4) AND time_ms >= $5"
        " ORDER BY id DESC LIMIT $6",
        text(filter.workspace), text(filter.caller_id), text(filter.target_id),
        text(filter.outcome), filter.since_ms, limit);
    for (const auto& row : rows) {
      AuditRecord r;
      r.id = row[0].as<std::int64_t>();
      r.time_ms = row[1].as<std::int64_t>();
      r.workspace = row[2].as<std::string>();
      r.action = row[3].as<std::string>();
      r.caller_id = row[4].as<std::string>();
      r.target_id = row[5].as<std::string>();
      r.client_address = row[6].as<std::string>();
      r.outcome = row[7].as<std::string>();
      r.reason = row[8].as<std::string>();
      records.push_back(std::move(r));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return records;
}

}  // namespace host
