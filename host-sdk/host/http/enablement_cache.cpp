// Caches plugin enablement per (workspace, plugin) for the configured time to live.
// The storage read happens outside the lock; two threads may both read, which is harmless.
#include "http/enablement_cache.h"

namespace host::http {

Result<bool> EnablementCache::enabled(std::string_view workspace, std::string_view plugin_id) {
  std::string key;
  key.reserve(workspace.size() + plugin_id.size() + 1);
  key.append(workspace).push_back('\0');
  key.append(plugin_id);
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.expires > now) return it->second.enabled;
  }
  auto stored = storage_.plugin_enabled(workspace, plugin_id);
  bool value = true;  // never set: enabled by default
  if (stored.ok()) {
    value = stored.value();
  } else if (stored.status().code() != hostsdk::StatusCode::kNotFound) {
    return stored.status();
  }
  std::lock_guard lock(mutex_);
  if (entries_.size() > 100'000) entries_.clear();  // bound memory against many workspaces
  entries_[key] = {value, now + ttl_};
  return value;
}

}  // namespace host::http
