// The users.createToken plugin object the host creates: start() registers the route
// POST /api/v1/users.createToken and the permission user-generate-access-token.
#pragma once

#include <memory>
#include <string_view>

#include "hostsdk/plugin.h"

namespace create_token {

inline constexpr std::string_view kRouteMethod = "POST";
inline constexpr std::string_view kRoutePath = "/api/v1/users.createToken";
inline constexpr std::string_view kPermission = "user-generate-access-token";

class CreateTokenHandler;

class CreateTokenPlugin final : public hostsdk::Plugin {
 public:
  CreateTokenPlugin();
  ~CreateTokenPlugin() override;

  hostsdk::Status start(hostsdk::Host& host) override;
  void stop() noexcept override;

 private:
  hostsdk::Host* host_ = nullptr;
  // Registered with the host; lives until the plugin is destroyed, after stop().
  std::unique_ptr<CreateTokenHandler> handler_;
};

}  // namespace create_token
