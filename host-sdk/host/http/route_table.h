// Every route the host serves, built-in or from a plugin, keyed by exact path.
// Built before the server starts and read-only afterwards, so lookups need no lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hostsdk/plugin.h"

namespace host::http {

struct RateLimitRule {
  std::uint32_t requests = 10;
  std::uint32_t window_seconds = 60;
};

enum class Blocking {
  kNever,     // answers at once (reads only): runs on an io thread
  kOnWrites,  // waits only for its own writes: on an io thread when they are deferred
  kAlways,    // may take long (password hashing): always on a worker thread
};

struct Route {
  std::string method;
  std::string path;
  std::string plugin_id;  // empty for built-in routes (never disabled)
  std::string action;     // audit action name, e.g. "users.createToken"
  bool requires_auth = true;
  // Whether the handler may hold its thread for long, deciding where it runs.
  Blocking blocking = Blocking::kAlways;
  std::optional<RateLimitRule> rate_limit;
  hostsdk::RouteHandler* handler = nullptr;
};

class RouteTable {
 public:
  // false when (method, path) is taken.
  bool add(Route route);
  // All routes of a path, any method; empty when the path is unknown.
  const std::vector<Route>* find(std::string_view path) const;
  std::vector<std::pair<std::string, std::string>> keys() const;

 private:
  // Transparent hash: lookups by string_view allocate nothing.
  struct PathHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, std::vector<Route>, PathHash, std::equal_to<>> by_path_;
};

// "users.createToken" for "/api/v1/users.createToken".
std::string action_of(std::string_view path);

}  // namespace host::http
