// The host's storage contract: everything the services persist, behind one interface so that
// SQLite (default) and PostgreSQL implementations pass the same contract tests.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hostsdk/status.h"

namespace host {

using hostsdk::Result;
using hostsdk::Status;

struct UserRecord {
  std::string workspace;
  std::string id;
  std::string username;
  std::string name;
  std::string password_hash;  // libsodium Argon2id string; empty = cannot log in
  bool active = true;
  std::vector<std::string> roles;
  std::int64_t created_ms = 0;
};

struct SessionRecord {
  std::string workspace;
  std::string user_id;
  std::string token_hash;  // base64(SHA-256(token)), 44 chars
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;
};

struct AuditRecord {
  std::int64_t id = 0;  // assigned by storage
  std::int64_t time_ms = 0;
  std::string workspace;
  std::string action;
  std::string caller_id;
  std::string target_id;
  std::string client_address;
  std::string outcome;
  std::string reason;
};

struct AuditFilter {
  std::string workspace;  // empty = all
  std::string caller_id;
  std::string target_id;
  std::string outcome;
  std::int64_t since_ms = 0;
  std::size_t limit = 1000;  // 0 = no limit
};

// All methods are thread-safe. kUnavailable when the database cannot be reached;
// kNotFound for a missing row; kConflict for a duplicate key.
class Storage {
 public:
  virtual ~Storage() = default;

  // Workspaces: id is a short name such as "default". Hosts map to workspaces.
  virtual Status add_workspace(std::string_view id) = 0;
  virtual Result<std::vector<std::string>> list_workspaces() = 0;
  virtual Status map_host(std::string_view host, std::string_view workspace) = 0;
  virtual Result<std::string> workspace_for_host(std::string_view host) = 0;  // kNotFound

  // Users. Username uniqueness and lookup ignore ASCII case within a workspace.
  virtual Status add_user(const UserRecord& user) = 0;
  // Bulk insert (seeding): every user in one transaction, or none on any failure.
  virtual Status add_users(const std::vector<UserRecord>& users) = 0;
  virtual Result<UserRecord> find_user_by_id(std::string_view ws, std::string_view id) = 0;
  virtual Result<UserRecord> find_user_by_username(std::string_view ws,
                                                   std::string_view username) = 0;
  virtual Result<std::vector<UserRecord>> list_users(std::string_view ws) = 0;
  // Deactivating also deletes the user's sessions, in the same transaction (as Rocket.Chat
  // removes login tokens): activating again brings no old token back.
  virtual Status set_user_active(std::string_view ws, std::string_view id, bool active) = 0;
  virtual Status set_user_roles(std::string_view ws, std::string_view id,
                                const std::vector<std::string>& roles) = 0;
  virtual Status set_user_password_hash(std::string_view ws, std::string_view id,
                                        std::string_view hash) = 0;

  // Sessions. add_session stores the new session and, in the same transaction, deletes all
  // but the `cap` newest sessions of that user, so the cap holds under concurrency.
  virtual Status add_session(const SessionRecord& session, std::size_t cap) = 0;
  virtual Result<SessionRecord> find_session(std::string_view ws, std::string_view user_id,
                                             std::string_view token_hash) = 0;
  virtual Status delete_session(std::string_view ws, std::string_view user_id,
                                std::string_view token_hash) = 0;
  virtual Result<std::vector<SessionRecord>> list_sessions(std::string_view ws,
                                                           std::string_view user_id) = 0;

  // Permissions: which roles hold a permission in a workspace.
  // ensure_permission seeds default roles only when the permission is new to the workspace.
  virtual Status ensure_permission(std::string_view ws, std::string_view permission,
                                   const std::vector<std::string>& default_roles) = 0;
  virtual Result<std::vector<std::string>> permission_roles(std::string_view ws,
                                                            std::string_view permission) = 0;

  // Workspace settings (text values) and plugin enablement.
  virtual Status set_setting(std::string_view ws, std::string_view name,
                             std::string_view value) = 0;
  virtual Status unset_setting(std::string_view ws, std::string_view name) = 0;
  virtual Result<std::string> get_setting(std::string_view ws, std::string_view name) = 0;
  virtual Status set_plugin_enabled(std::string_view ws, std::string_view plugin_id,
                                    bool enabled) = 0;
  // kNotFound when never set for that workspace (the host then uses its default).
  virtual Result<bool> plugin_enabled(std::string_view ws, std::string_view plugin_id) = 0;

  // Audit trail, durable when the call returns. list_audit answers newest first.
  virtual Status append_audit(const AuditRecord& record) = 0;
  virtual Result<std::vector<AuditRecord>> list_audit(const AuditFilter& filter) = 0;
};

// Opens "sqlite:PATH" (or a bare path). Creates and migrates the schema.
Result<std::unique_ptr<Storage>> open_storage(std::string_view url);

}  // namespace host
