// PostgresStorage: users, unique per workspace by id and by ASCII-case-insensitive username.
// Roles are a text[] column, written as an array literal and read with pqxx's array parser.
#include "storage/postgres/pg_storage.h"

#include "storage/postgres/pg_errors.h"
#include "storage/postgres/pg_prepared.h"
#include "storage/postgres/pg_text_array.h"

namespace host {
namespace {

using pg::text;

constexpr const char* kUserColumns =
    "SELECT workspace, id, username, name, password_hash, active, roles, created_ms FROM users ";

UserRecord user_from_row(const pqxx::row& row) {
  UserRecord user;
  user.workspace = row[0].as<std::string>();
  user.id = row[1].as<std::string>();
  user.username = row[2].as<std::string>();
  user.name = row[3].as<std::string>();
  user.password_hash = row[4].as<std::string>();
  user.active = row[5].as<bool>();
  user.roles = pg::decode_text_array(row[6]);
  user.created_ms = row[7].as<std::int64_t>();
  return user;
}

}  // namespace

Status PostgresStorage::add_user(const UserRecord& user) {
  if (user.workspace.empty() || user.id.empty() || user.username.empty()) {
    return Status::Invalid("user needs a workspace, an id and a username");
  }
  return executor_.write([&](pqxx::transaction_base& txn) {
    txn.exec_params(
        "INSERT INTO users (workspace, id, username, name, password_hash, active, roles,"
        " created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8)",
        text(user.workspace), text(user.id), text(user.username), text(user.name),
        text(user.password_hash), user.active, pg::encode_text_array(user.roles), user.created_ms);
    return Status::Ok();
  });
}

Status PostgresStorage::add_users(const std::vector<UserRecord>& users) {
  if (users.empty()) return Status::Ok();
  // Columns travel as parallel arrays and one INSERT ... SELECT unnest(...) inserts them all,
  // so a large seed is one round trip, not one per user. Roles go as array literals, one per
  // user, cast back to text[] row by row.
  std::vector<std::string> workspaces, ids, usernames, names, hashes, actives, roles, created;
  for (const auto& user : users) {
    if (user.workspace.empty() || user.id.empty() || user.username.empty()) {
      return Status::Invalid("user needs a workspace, an id and a username");
    }
    workspaces.push_back(user.workspace);
    ids.push_back(user.id);
    usernames.push_back(user.username);
    names.push_back(user.name);
    hashes.push_back(user.password_hash);
    actives.push_back(user.active ? "t" : "f");
    roles.push_back(pg::encode_text_array(user.roles));
    created.push_back(std::to_string(user.created_ms));
  }
  return executor_.write([&](pqxx::transaction_base& txn) {
    txn.exec_params(
        "INSERT INTO users (workspace, id, username, name, password_hash, active, roles,"
        " created_ms) SELECT w, i, u, n, h, a::boolean, r::text[], c::bigint FROM"
        " unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
        " $7::text[], $8::text[]) AS t(w, i, u, n, h, a, r, c)",
        pg::encode_text_array(workspaces), pg::encode_text_array(ids),
        pg::encode_text_array(usernames), pg::encode_text_array(names),
        pg::encode_text_array(hashes), pg::encode_text_array(actives), pg::encode_text_array(roles),
        pg::encode_text_array(created));
    return Status::Ok();
  });
}

Result<UserRecord> PostgresStorage::find_user_by_id(std::string_view ws, std::string_view id) {
  UserRecord user;
  Status status = executor_.read([&](pqxx::transaction_base& txn) {
    auto rows = txn.exec_params(std::string(kUserColumns) + "WHERE workspace = $1 AND id = $2",
                                text(ws), text(id));
    if (rows.empty()) return Status::NotFound("no such user");
    user = user_from_row(rows[0]);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return user;
}

Result<UserRecord> PostgresStorage::find_user_by_username(std::string_view ws,
                                                          std::string_view username) {
  UserRecord user;
  // Every createToken looks its target up by name (unless cached): prepared. Same expression
  // as the unique index, so the index serves the lookup.
  static const std::string sql = std::string(kUserColumns) +
                                 "WHERE workspace = $1"
                                 " AND lower(username COLLATE \"C\") = lower($2 COLLATE \"C\")";
  static const pg::Prepared by_username{"user_by_username", sql.c_str()};
  Status status = executor_.read([&](pqxx::transaction_base& txn) {
    auto rows = pg::exec_prepared(txn, by_username, text(ws), text(username));
    if (rows.empty()) return Status::NotFound("no such user");
    user = user_from_row(rows[0]);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return user;
}

Result<std::vector<UserRecord>> PostgresStorage::list_users(std::string_view ws) {
  std::vector<UserRecord> users;
  Status status = executor_.read([&](pqxx::transaction_base& txn) {
    users.clear();
    auto rows = txn.exec_params(
        std::string(kUserColumns) + "WHERE workspace = $1 ORDER BY lower(username COLLATE \"C\")",
        text(ws));
    for (const auto& row : rows) users.push_back(user_from_row(row));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return users;
}

Status PostgresStorage::set_user_active(std::string_view ws, std::string_view id, bool active) {
  return executor_.write(
      [&](pqxx::transaction_base& txn) {
        auto r = txn.exec_params("UPDATE users SET active = $3 WHERE workspace = $1 AND id = $2",
                                 text(ws), text(id), active);
        if (r.affected_rows() == 0) return Status::NotFound("no such user");
        // Deactivation ends every login, in the same transaction: activating the user again
        // must not bring old tokens back. The UPDATE holds the user's row lock, so no
        // add_session slips in between.
        if (!active) {
          txn.exec_params("DELETE FROM sessions WHERE workspace = $1 AND user_id = $2", text(ws),
                          text(id));
        }
        return Status::Ok();
      },
      pg::user_lock_key(ws, id));
}

Status PostgresStorage::set_user_roles(std::string_view ws, std::string_view id,
                                       const std::vector<std::string>& roles) {
  return executor_.write(
      [&](pqxx::transaction_base& txn) {
        auto r =
            txn.exec_params("UPDATE users SET roles = $3::text[] WHERE workspace = $1 AND id = $2",
                            text(ws), text(id), pg::encode_text_array(roles));
        return r.affected_rows() == 0 ? Status::NotFound("no such user") : Status::Ok();
      },
      pg::user_lock_key(ws, id));
}

Status PostgresStorage::set_user_password_hash(std::string_view ws, std::string_view id,
                                               std::string_view hash) {
  return executor_.write(
      [&](pqxx::transaction_base& txn) {
        auto r =
            txn.exec_params("UPDATE users SET password_hash = $3 WHERE workspace = $1 AND id = $2",
                            text(ws), text(id), text(hash));
        return r.affected_rows() == 0 ? Status::NotFound("no such user") : Status::Ok();
      },
      pg::user_lock_key(ws, id));
}

}  // namespace host
