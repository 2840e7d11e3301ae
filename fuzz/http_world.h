// The host fuzz_http talks to: services on a throwaway SQLite file, the built-in routes and
// the users.createToken plugin routed as `rchost serve` routes them, and known credentials.
#pragma once

#include <memory>
#include <string>

#include "create_token/create_token_plugin.h"
#include "http/builtin_routes.h"
#include "http/host_metrics.h"
#include "http/route_table.h"
#include "loader/host_adapter.h"
#include "services/services.h"

namespace rct_fuzz {

// Fixed so that seeds can carry working credentials (17-character ids, 43-character tokens).
inline constexpr const char* kAdminId = "FuzzAdmin22222222";
inline constexpr const char* kAdminToken = "fuzzAdminToken_fuzzAdminToken_fuzzAdminToke";
inline constexpr const char* kAliceId = "FuzzA2ice22222222";
inline constexpr const char* kAliceToken = "fuzzAliceToken_fuzzAliceToken_fuzzAliceToke";
inline constexpr const char* kAlicePassword = "alice-password";
inline constexpr const char* kOtherHost = "other.example";  // Host of workspace "other"
static_assert(std::char_traits<char>::length(kAdminId) == 17);
static_assert(std::char_traits<char>::length(kAliceId) == 17);
static_assert(std::char_traits<char>::length(kAdminToken) == 43);
static_assert(std::char_traits<char>::length(kAliceToken) == 43);

class HttpWorld {
 public:
  HttpWorld();  // aborts when the host cannot be set up: nothing to fuzz without it
  ~HttpWorld();

  // Puts back the seed sessions a previous input revoked or pushed out of the cap.
  void restore_sessions();

  host::Services& services() { return *services_; }
  host::http::RouteTable& routes() { return routes_; }
  host::http::HostMetrics& metrics() { return metrics_; }

 private:
  std::string dir_;
  std::unique_ptr<host::Services> services_;
  host::http::HostMetrics metrics_;
  host::http::RouteTable routes_;
  std::unique_ptr<host::http::BuiltinRoutes> builtins_;
  std::unique_ptr<host::loader::HostAdapter> adapter_;
  create_token::CreateTokenPlugin plugin_;
};

}  // namespace rct_fuzz
