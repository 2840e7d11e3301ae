// Whether a plugin is enabled in a workspace, read from storage and cached for half a second,
// so that a change made anywhere (another host, the CLI) is served everywhere within 1 s.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/storage.h"

namespace host::http {

class EnablementCache {
 public:
  explicit EnablementCache(Storage& storage,
                           std::chrono::milliseconds ttl = std::chrono::milliseconds(500))
      : storage_(storage), ttl_(ttl) {}

  // Enabled unless explicitly disabled; kUnavailable when storage cannot answer.
  Result<bool> enabled(std::string_view workspace, std::string_view plugin_id);

 private:
  struct Entry {
    bool enabled = true;
    std::chrono::steady_clock::time_point expires;
  };
  Storage& storage_;
  std::chrono::milliseconds ttl_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace host::http
