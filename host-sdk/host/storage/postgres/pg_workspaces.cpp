// PostgresStorage: workspaces and the host-name-to-workspace map.
// Host names are folded to ASCII lower case on write and on lookup.
#include "storage/postgres/pg_storage.h"

#include "storage/postgres/pg_errors.h"

namespace host {

using pg::text;

Status PostgresStorage::add_workspace(std::string_view id) {
  if (id.empty()) return Status::Invalid("empty workspace id");
  return executor_.write([&](pqxx::transaction_base& txn) {
    txn.exec_params("INSERT INTO workspaces (id) VALUES ($1)", text(id));
    return Status::Ok();
  });
}

Result<std::vector<std::string>> PostgresStorage::list_workspaces() {
  std::vector<std::string> ids;
  Status status = executor_.read([&](pqxx::transaction_base& txn) {
    ids.clear();
    for (const auto& row : txn.exec("SELECT id FROM workspaces ORDER BY id")) {
      ids.push_back(row[0].as<std::string>());
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return ids;
}

Status PostgresStorage::map_host(std::string_view host, std::string_view workspace) {
  if (host.empty()) return Status::Invalid("empty host");
  return executor_.write([&](pqxx::transaction_base& txn) {
    // A missing workspace fails the foreign key: kNotFound.
    txn.exec_params(
        "INSERT INTO host_workspaces (host, workspace) VALUES (lower($1 COLLATE \"C\"), $2)"
        " ON CONFLICT (host) DO UPDATE SET workspace = excluded.workspace",
        text(host), text(workspace));
    return Status::Ok();
  });
}

Result<std::string> PostgresStorage::workspace_for_host(std::string_view host) {
  std::string workspace;
  Status status = executor_.read([&](pqxx::transaction_base& txn) {
    auto rows = txn.exec_params(
        "SELECT workspace FROM host_workspaces WHERE host = lower($1 COLLATE \"C\")", text(host));
    if (rows.empty()) return Status::NotFound("no workspace for host");
    workspace = rows[0][0].as<std::string>();
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return workspace;
}

}  // namespace host
