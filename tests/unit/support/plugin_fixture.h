// A mock host with the conformance fixture (admin, alice, bob, carol deactivated, ops)
// and the users.createToken plugin started on it: what every plugin test begins with.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "create_token/create_token_plugin.h"
#include "hostsdk/mock/mock_host.h"

namespace unit {

inline constexpr std::string_view kWorkspace = "default";
inline constexpr std::string_view kOtherWorkspace = "other";
inline constexpr std::string_view kRoute = "/api/v1/users.createToken";

class PluginFixture {
 public:
  PluginFixture();
  ~PluginFixture();
  PluginFixture(const PluginFixture&) = delete;
  PluginFixture& operator=(const PluginFixture&) = delete;

  hostsdk::mock::MockHost& host() { return host_; }
  // Generated id of a fixture user ("admin", "alice", ..., "dave" in the other workspace).
  const std::string& id(std::string_view username) const;
  // Replaces every "@name" of a fixture user in `text` with that user's id.
  std::string expand_ids(std::string text) const;

  void open_gate() { host_.set_env("CREATE_TOKENS_FOR_USERS", "true"); }

  // POST to the route as `caller` (a fixture username; none: no credentials).
  hostsdk::Response post(std::optional<std::string_view> caller, std::string_view body);
  // POST authenticating with X-User-Id / X-Auth-Token headers instead.
  hostsdk::Response post_with_token(std::string_view user_id, std::string_view token,
                                    std::string_view body);

 private:
  hostsdk::mock::MockHost host_;
  create_token::CreateTokenPlugin plugin_;
  std::map<std::string, std::string, std::less<>> ids_;
};

// True when `token` is 43 characters of base64url.
bool is_base64url_token(std::string_view token);

}  // namespace unit
