// Storage decorator with TtlMap caches. Every read remembers when it began and the cache's
// invalidation epoch, so a write of this process that lands meanwhile is never undone.
#include "storage/cached_storage.h"

#include <algorithm>
#include <optional>
#include <string>

#include "storage/commit_scope.h"
#include "storage/ttl_map.h"

namespace host {
namespace {

using Clock = std::chrono::steady_clock;

std::string key_of(std::string_view a, std::string_view b) {
  std::string key;
  key.reserve(a.size() + b.size() + 1);
  key.append(a).push_back('\0');
  key.append(b);
  return key;
}

// Usernames and host names match ignoring ASCII case.
std::string lower_key(std::string_view a, std::string_view b) {
  std::string key = key_of(a, b);
  for (std::size_t i = a.size() + 1; i < key.size(); ++i) {
    if (key[i] >= 'A' && key[i] <= 'Z') key[i] = static_cast<char>(key[i] - 'A' + 'a');
  }
  return key;
}

bool is_not_found(const Status& status) { return status.code() == hostsdk::StatusCode::kNotFound; }

struct CachedSession {
  SessionRecord record;
  Clock::time_point fetched;
};

constexpr std::size_t kSessionsPerUser = 16;  // cached sessions per user, newest kept
// Every issued token invalidates its user's sessions; stripes keep that from refusing the
// caching of other users' sessions.
constexpr std::size_t kSessionStripes = 64;

class CachedStorage final : public Storage {
 public:
  CachedStorage(std::unique_ptr<Storage> inner, const CacheOptions& o)
      : inner_(std::move(inner)),
        ttl_(o.ttl),
        hosts_(o.ttl, o.max_entries),
        settings_(o.ttl, o.max_entries),
        permissions_(o.ttl, o.max_entries),
        names_(o.ttl, o.max_entries),
        users_(o.ttl, o.max_entries),
        sessions_(o.ttl, o.max_entries, kSessionStripes) {}

  Status add_workspace(std::string_view id) override { return inner_->add_workspace(id); }
  Result<std::vector<std::string>> list_workspaces() override { return inner_->list_workspaces(); }

  Status map_host(std::string_view host, std::string_view workspace) override {
    Status status = inner_->map_host(host, workspace);
    hosts_.erase(lower_key({}, host));
    return status;
  }

  Result<std::string> workspace_for_host(std::string_view host) override {
    std::string key = lower_key({}, host);
    return cached_optional(hosts_, std::move(key),
                           [&] { return inner_->workspace_for_host(host); });
  }

  Status add_user(const UserRecord& user) override { return inner_->add_user(user); }
  Status add_users(const std::vector<UserRecord>& users) override {
    return inner_->add_users(users);
  }

  Result<UserRecord> find_user_by_id(std::string_view ws, std::string_view id) override {
    auto now = Clock::now();
    std::string key = key_of(ws, id);
    std::shared_ptr<const UserRecord> user;
    if (users_.get(key, now, user)) return *user;
    std::uint64_t epoch = users_.epoch(key);
    auto found = inner_->find_user_by_id(ws, id);
    if (found.ok()) remember_user(found.value(), now, epoch, std::move(key));
    return found;
  }

  Result<UserRecord> find_user_by_username(std::string_view ws,
                                           std::string_view username) override {
    auto now = Clock::now();
    std::string name_key = lower_key(ws, username);
    // The name leads to an id, and the id to the record, which invalidation drops by id.
    std::string id;
    if (names_.get(name_key, now, id)) {
      std::shared_ptr<const UserRecord> user;
      if (users_.get(key_of(ws, id), now, user)) return *user;
    }
    std::uint64_t name_epoch = names_.epoch(name_key);
    std::uint64_t user_epoch = users_.epoch({});  // one stripe: valid for the id read next
    auto found = inner_->find_user_by_username(ws, username);
    if (found.ok()) {
      names_.put(std::move(name_key), found->id, now, name_epoch);
      remember_user(found.value(), now, user_epoch, key_of(ws, found->id));
    }
    return found;
  }

  Result<std::vector<UserRecord>> list_users(std::string_view ws) override {
    return inner_->list_users(ws);
  }

  Status set_user_active(std::string_view ws, std::string_view id, bool active) override {
    Status status = inner_->set_user_active(ws, id, active);
    forget_user(ws, id);
    sessions_.erase(key_of(ws, id));  // deactivation deleted them
    return status;
  }

  Status set_user_roles(std::string_view ws, std::string_view id,
                        const std::vector<std::string>& roles) override {
    Status status = inner_->set_user_roles(ws, id, roles);
    forget_user(ws, id);
    return status;
  }

  Status set_user_password_hash(std::string_view ws, std::string_view id,
                                std::string_view hash) override {
    Status status = inner_->set_user_password_hash(ws, id, hash);
    forget_user(ws, id);
    return status;
  }

  Status add_session(const SessionRecord& session, std::size_t cap) override {
    Status status = inner_->add_session(session, cap);
    // The cap may have pruned older sessions of this user: forget them, and once more after
    // the request's commit (the write may be deferred to it), before the answer leaves.
    std::string key = key_of(session.workspace, session.user_id);
    sessions_.erase(key);
    if (RequestWrites* request = CommitScope::current(); request != nullptr) {
      request->after_commit([this, key = std::move(key)] { sessions_.erase(key); });
    }
    return status;
  }

  Result<SessionRecord> find_session(std::string_view ws, std::string_view user_id,
                                     std::string_view token_hash) override {
    auto now = Clock::now();
    std::string key = key_of(ws, user_id);
    std::vector<CachedSession> list;
    bool listed = sessions_.get(key, now, list);
    if (listed) {
      for (const auto& s : list) {
        if (s.record.token_hash == token_hash && now - s.fetched < ttl_) return s.record;
      }
    }
    std::uint64_t epoch = sessions_.epoch(key);
    auto found = inner_->find_session(ws, user_id, token_hash);
    if (!found.ok()) return found;
    std::erase_if(list, [&](const CachedSession& s) {
      return s.record.token_hash == token_hash || now - s.fetched >= ttl_;
    });
    if (list.size() >= kSessionsPerUser) list.erase(list.begin());
    list.push_back({found.value(), now});
    sessions_.put(std::move(key), std::move(list), now, epoch);
    return found;
  }

  Status delete_session(std::string_view ws, std::string_view user_id,
                        std::string_view token_hash) override {
    Status status = inner_->delete_session(ws, user_id, token_hash);
    sessions_.erase(key_of(ws, user_id));
    return status;
  }

  Result<std::vector<SessionRecord>> list_sessions(std::string_view ws,
                                                   std::string_view user_id) override {
    return inner_->list_sessions(ws, user_id);
  }

  Status ensure_permission(std::string_view ws, std::string_view permission,
                           const std::vector<std::string>& default_roles) override {
    Status status = inner_->ensure_permission(ws, permission, default_roles);
    permissions_.erase(key_of(ws, permission));
    return status;
  }

  Result<std::vector<std::string>> permission_roles(std::string_view ws,
                                                    std::string_view permission) override {
    auto now = Clock::now();
    std::string key = key_of(ws, permission);
    std::vector<std::string> roles;
    if (permissions_.get(key, now, roles)) return roles;
    std::uint64_t epoch = permissions_.epoch(key);
    auto found = inner_->permission_roles(ws, permission);
    if (found.ok()) permissions_.put(std::move(key), found.value(), now, epoch);
    return found;
  }

  Status set_setting(std::string_view ws, std::string_view name, std::string_view value) override {
    Status status = inner_->set_setting(ws, name, value);
    settings_.erase(key_of(ws, name));
    return status;
  }

  Status unset_setting(std::string_view ws, std::string_view name) override {
    Status status = inner_->unset_setting(ws, name);
    settings_.erase(key_of(ws, name));
    return status;
  }

  Result<std::string> get_setting(std::string_view ws, std::string_view name) override {
    return cached_optional(settings_, key_of(ws, name),
                           [&] { return inner_->get_setting(ws, name); });
  }

  Status set_plugin_enabled(std::string_view ws, std::string_view plugin_id,
                            bool enabled) override {
    return inner_->set_plugin_enabled(ws, plugin_id, enabled);
  }
  Result<bool> plugin_enabled(std::string_view ws, std::string_view plugin_id) override {
    return inner_->plugin_enabled(ws, plugin_id);
  }

  Status append_audit(const AuditRecord& record) override { return inner_->append_audit(record); }
  Result<std::vector<AuditRecord>> list_audit(const AuditFilter& filter) override {
    return inner_->list_audit(filter);
  }

 private:
  // A value or its absence (kNotFound) is cached; other failures are not.
  template <typename Read>
  Result<std::string> cached_optional(TtlMap<std::optional<std::string>>& cache, std::string key,
                                      Read&& read) {
    auto now = Clock::now();
    std::optional<std::string> value;
    if (cache.get(key, now, value)) {
      if (value) return *value;
      return Status::NotFound("not set (cached)");
    }
    std::uint64_t epoch = cache.epoch(key);
    Result<std::string> found = read();
    if (found.ok()) {
      cache.put(std::move(key), found.value(), now, epoch);
    } else if (is_not_found(found.status())) {
      cache.put(std::move(key), std::nullopt, now, epoch);
    }
    return found;
  }

  void remember_user(const UserRecord& user, Clock::time_point fetched, std::uint64_t epoch,
                     std::string key) {
    users_.put(std::move(key), std::make_shared<const UserRecord>(user), fetched, epoch);
  }

  void forget_user(std::string_view ws, std::string_view id) { users_.erase(key_of(ws, id)); }

  std::unique_ptr<Storage> inner_;
  Clock::duration ttl_;
  TtlMap<std::optional<std::string>> hosts_;     // host → workspace, or unmapped
  TtlMap<std::optional<std::string>> settings_;  // workspace, name → value, or unset
  TtlMap<std::vector<std::string>> permissions_;
  TtlMap<std::string> names_;  // workspace, lower-case username → user id
  TtlMap<std::shared_ptr<const UserRecord>> users_;
  TtlMap<std::vector<CachedSession>> sessions_;  // workspace, user id → live sessions
};

}  // namespace

std::unique_ptr<Storage> make_cached_storage(std::unique_ptr<Storage> inner,
                                             const CacheOptions& options) {
  return std::make_unique<CachedStorage>(std::move(inner), options);
}

}  // namespace host
