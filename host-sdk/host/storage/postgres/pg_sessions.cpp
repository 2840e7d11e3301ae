// PostgresStorage: login sessions, and the per-user cap that holds exactly across every host
// sharing the database. Adds and deletes join the current request's unit (write_deferrable).
#include "storage/postgres/pg_storage.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "storage/postgres/pg_errors.h"
#include "storage/postgres/pg_prepared.h"

namespace host {
namespace {

using pg::text;

constexpr const char* kSessionColumns =
    "SELECT workspace, user_id, token_hash, created_ms, expires_ms FROM sessions ";

// Inserts the session only if its user exists, locking the user's row first.
constexpr pg::Prepared kInsertLocked{
    "session_insert",
    "INSERT INTO sessions (workspace, user_id, token_hash, created_ms, expires_ms)"
    " SELECT workspace, id, $3::text, $4::bigint, $5::bigint FROM users"
    " WHERE workspace = $1 AND id = $2"
    " FOR NO KEY UPDATE"};
// Keeps the user's $3 newest sessions. ARRAY() makes the subquery run once; as `IN (...)` it
// was rescanned for each of the user's sessions: cap² index entries per call.
constexpr pg::Prepared kTrim{
    "session_trim",
    "DELETE FROM sessions WHERE workspace = $1 AND user_id = $2 AND token_hash = ANY (ARRAY("
    " SELECT token_hash FROM sessions WHERE workspace = $1 AND user_id = $2"
    " ORDER BY created_ms DESC, seq DESC OFFSET $3))"};

SessionRecord session_from_row(const pqxx::row& row) {
  SessionRecord session;
  session.workspace = row[0].as<std::string>();
  session.user_id = row[1].as<std::string>();
  session.token_hash = row[2].as<std::string>();
  session.created_ms = row[3].as<std::int64_t>();
  session.expires_ms = row[4].as<std::int64_t>();
  return session;
}

}  // namespace

Status PostgresStorage::add_session(const SessionRecord& session, std::size_t cap) {
  if (cap == 0) return Status::Invalid("session cap must be at least 1");
  if (session.token_hash.empty()) return Status::Invalid("empty token hash");
  const auto keep = static_cast<std::int64_t>(
      std::min<std::size_t>(cap, std::numeric_limits<std::int64_t>::max()));
  pg::DeferrableWrite write;
  write.lock_key = pg::user_lock_key(session.workspace, session.user_id);
  // Within a request it may run at the request's commit: it owns a copy of the session.
  write.fn = [session, keep](pqxx::transaction_base& txn) {
    // The user's row lock serialises add_session per user, from every process. The insert
    // takes it (NO KEY UPDATE leaves FK checks unblocked); the trim is a statement of its own,
    // so its snapshot, taken once the lock is held, sees every session committed before it
    // (READ COMMITTED): exactly `cap` newest remain.
    auto inserted =
        pg::exec_prepared(txn, kInsertLocked, text(session.workspace), text(session.user_id),
                          text(session.token_hash), session.created_ms, session.expires_ms);
    if (inserted.affected_rows() == 0) return Status::NotFound("no such user");
    pg::exec_prepared(txn, kTrim, text(session.workspace), text(session.user_id), keep);
    return Status::Ok();
  };
  // The COMMIT may have landed although the connection broke (in doubt): the caller tells
  // nobody this token, so the row must not stay behind once the database is back.
  write.if_in_doubt = [this, ws = session.workspace, user_id = session.user_id,
                       hash = session.token_hash] { sweeper_.delete_later(ws, user_id, hash); };
  return executor_.write_deferrable(std::move(write));
}

Result<SessionRecord> PostgresStorage::find_session(std::string_view ws, std::string_view user_id,
                                                    std::string_view token_hash) {
  SessionRecord session;
  Status status = executor_.read([&](pqxx::transaction_base& txn) {
    auto rows = txn.exec_params(
        std::string(kSessionColumns) + "WHERE workspace = $1 AND user_id = $2 AND token_hash = $3",
        text(ws), text(user_id), text(token_hash));
    if (rows.empty()) return Status::NotFound("no such session");
    session = session_from_row(rows[0]);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return session;
}

Status PostgresStorage::delete_session(std::string_view ws, std::string_view user_id,
                                       std::string_view token_hash) {
  pg::DeferrableWrite write;
  write.lock_key = pg::user_lock_key(ws, user_id);
  write.fn = [ws = std::string(ws), user_id = std::string(user_id),
              hash = std::string(token_hash)](pqxx::transaction_base& txn) {
    auto r = txn.exec_params(
        "DELETE FROM sessions WHERE workspace = $1 AND user_id = $2 AND token_hash = $3", text(ws),
        text(user_id), text(hash));
    return r.affected_rows() == 0 ? Status::NotFound("no such session") : Status::Ok();
  };
  // Within a request that deferred it, a session gone by its commit is revoked all the same.
  write.idempotent_delete = true;
  // A revocation asked for during an outage still happens once the database is back.
  write.if_in_doubt = [this, ws = std::string(ws), user_id = std::string(user_id),
                       hash = std::string(token_hash)] {
    sweeper_.delete_later(ws, user_id, hash);
  };
  return executor_.write_deferrable(std::move(write));
}

Result<std::vector<SessionRecord>> PostgresStorage::list_sessions(std::string_view ws,
                                                                  std::string_view user_id) {
  std::vector<SessionRecord> sessions;
  Status status = executor_.read([&](pqxx::transaction_base& txn) {
    sessions.clear();
    auto rows = txn.exec_params(std::string(kSessionColumns) +
                                    "WHERE workspace = $1 AND user_id = $2"
                                    " ORDER BY created_ms DESC, seq DESC",
                                text(ws), text(user_id));
    for (const auto& row : rows) sessions.push_back(session_from_row(row));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return sessions;
}

}  // namespace host
