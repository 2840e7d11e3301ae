// host::PostgresStorage: the Storage contract over PostgreSQL, for several hosts sharing one
// database. Method bodies are split by area across pg_*.cpp files.
#pragma once

#include <memory>
#include <string>

#include "storage/postgres/pg_executor.h"
#include "storage/postgres/pg_pool.h"
#include "storage/postgres/pg_session_sweeper.h"
#include "storage/postgres/postgres_storage.h"

namespace host {

class PostgresStorage final : public Storage {
 public:
  PostgresStorage(std::string conninfo, const PostgresOptions& options);
  // Waits for the requests' writes still being committed: their callbacks use the sweeper.
  ~PostgresStorage() override;

  // Creates or migrates the schema; called once by open_postgres_storage.
  Status init();

  Status add_workspace(std::string_view id) override;
  Result<std::vector<std::string>> list_workspaces() override;
  Status map_host(std::string_view host, std::string_view workspace) override;
  Result<std::string> workspace_for_host(std::string_view host) override;

  Status add_user(const UserRecord& user) override;
  Status add_users(const std::vector<UserRecord>& users) override;
  Result<UserRecord> find_user_by_id(std::string_view ws, std::string_view id) override;
  Result<UserRecord> find_user_by_username(std::string_view ws, std::string_view username) override;
  Result<std::vector<UserRecord>> list_users(std::string_view ws) override;
  Status set_user_active(std::string_view ws, std::string_view id, bool active) override;
  Status set_user_roles(std::string_view ws, std::string_view id,
                        const std::vector<std::string>& roles) override;
  Status set_user_password_hash(std::string_view ws, std::string_view id,
                                std::string_view hash) override;

  Status add_session(const SessionRecord& session, std::size_t cap) override;
  Result<SessionRecord> find_session(std::string_view ws, std::string_view user_id,
                                     std::string_view token_hash) override;
  Status delete_session(std::string_view ws, std::string_view user_id,
                        std::string_view token_hash) override;
  Result<std::vector<SessionRecord>> list_sessions(std::string_view ws,
                                                   std::string_view user_id) override;

  Status ensure_permission(std::string_view ws, std::string_view permission,
                           const std::vector<std::string>& default_roles) override;
  Result<std::vector<std::string>> permission_roles(std::string_view ws,
                                                    std::string_view permission) override;

  Status set_setting(std::string_view ws, std::string_view name, std::string_view value) override;
  Status unset_setting(std::string_view ws, std::string_view name) override;
  Result<std::string> get_setting(std::string_view ws, std::string_view name) override;
  Status set_plugin_enabled(std::string_view ws, std::string_view plugin_id, bool enabled) override;
  Result<bool> plugin_enabled(std::string_view ws, std::string_view plugin_id) override;

  Status append_audit(const AuditRecord& record) override;
  Result<std::vector<AuditRecord>> list_audit(const AuditFilter& filter) override;

  // Sessions whose failed add or delete still waits for the database (tests, diagnostics).
  std::size_t sessions_pending_deletion() const { return sweeper_.pending(); }

 private:
  // Destroyed in reverse: the sweeper writes through the executor, which leases from the pool.
  pg::ConnectionPool pool_;
  pg::Executor executor_;
  pg::SessionSweeper sweeper_;
};

}  // namespace host
