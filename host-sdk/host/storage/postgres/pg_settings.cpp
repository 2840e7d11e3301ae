// PostgresStorage: per-workspace settings, plugin enablement and permission-to-role grants.
// Each needs its workspace row; a missing one fails the foreign key, reported as kNotFound.
#include "storage/postgres/pg_storage.h"

#include "storage/postgres/pg_errors.h"
#include "storage/postgres/pg_text_array.h"

namespace host {

using pg::text;

Status PostgresStorage::set_setting(std::string_view ws, std::string_view name,
                                    std::string_view value) {
  if (name.empty()) return Status::Invalid("empty setting name");
  return executor_.write([&](pqxx::transaction_base& txn) {
    txn.exec_params(
        "INSERT INTO settings (workspace, name, value) VALUES ($1, $2, $3)"
        " ON CONFLICT (workspace, name) DO UPDATE SET value = excluded.value",
        text(ws), text(name), text(value));
    return Status::Ok();
  });
}

Status PostgresStorage::unset_setting(std::string_view ws, std::string_view name) {
  return executor_.write([&](pqxx::transaction_base& txn) {
    auto r = txn.exec_params("DELETE FROM settings WHERE workspace = $1 AND name = $2", text(ws),
                             text(name));
    return r.affected_rows() == 0 ? Status::NotFound("no such setting") : Status::Ok();
  });
}

Result<std::string> PostgresStorage::get_setting(std::string_view ws, std::string_view name) {
  std::string value;
  Status status = executor_.read([&](pqxx::transaction_base& txn) {
    auto rows = txn.exec_params("SELECT value FROM settings WHERE workspace = $1 AND name = $2",
                                text(ws), text(name));
    if (rows.empty()) return Status::NotFound("no such setting");
    value = rows[0][0].as<std::string>();
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return value;
}

Status PostgresStorage::set_plugin_enabled(std::string_view ws, std::string_view plugin_id,
                                           bool enabled) {
  if (plugin_id.empty()) return Status::Invalid("empty plugin id");
  return executor_.write([&](pqxx::transaction_base& txn) {
    txn.exec_params(
        "INSERT INTO plugin_enablement (workspace, plugin_id, enabled) VALUES ($1, $2, $3)"
        " ON CONFLICT (workspace, plugin_id) DO UPDATE SET enabled = excluded.enabled",
        text(ws), text(plugin_id), enabled);
    return Status::Ok();
  });
}

Result<bool> PostgresStorage::plugin_enabled(std::string_view ws, std::string_view plugin_id) {
  bool enabled = false;
  Status status = executor_.read([&](pqxx::transaction_base& txn) {
    auto rows = txn.exec_params(
        "SELECT enabled FROM plugin_enablement WHERE workspace = $1 AND plugin_id = $2", text(ws),
        text(plugin_id));
    if (rows.empty()) return Status::NotFound("plugin enablement never set");
    enabled = rows[0][0].as<bool>();
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return enabled;
}

Status PostgresStorage::ensure_permission(std::string_view ws, std::string_view permission,
                                          const std::vector<std::string>& default_roles) {
  if (permission.empty()) return Status::Invalid("empty permission id");
  return executor_.write([&](pqxx::transaction_base& txn) {
    // DO NOTHING: roles an admin changed later are never reset to the defaults.
    txn.exec_params(
        "INSERT INTO permissions (workspace, permission, roles) VALUES ($1, $2, $3::text[])"
        " ON CONFLICT (workspace, permission) DO NOTHING",
        text(ws), text(permission), pg::encode_text_array(default_roles));
    return Status::Ok();
  });
}

Result<std::vector<std::string>> PostgresStorage::permission_roles(std::string_view ws,
                                                                   std::string_view permission) {
  std::vector<std::string> roles;
  Status status = executor_.read([&](pqxx::transaction_base& txn) {
    auto rows =
        txn.exec_params("SELECT roles FROM permissions WHERE workspace = $1 AND permission = $2",
                        text(ws), text(permission));
    if (rows.empty()) return Status::NotFound("no such permission");
    roles = pg::decode_text_array(rows[0][0]);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return roles;
}

}  // namespace host
