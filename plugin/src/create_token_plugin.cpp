// CreateTokenPlugin: registers the permission and the route with the host at start().
// The handler stays alive until the plugin object is destroyed, as the SDK requires.
#include "create_token/create_token_plugin.h"

#include <sodium.h>

#include "create_token_handler.h"

namespace create_token {

CreateTokenPlugin::CreateTokenPlugin() = default;
CreateTokenPlugin::~CreateTokenPlugin() = default;

hostsdk::Status CreateTokenPlugin::start(hostsdk::Host& host) {
  if (sodium_init() < 0) return hostsdk::Status::Internal("libsodium failed to initialise");
  if (handler_ != nullptr) return hostsdk::Status::Conflict("plugin already started");
  host_ = &host;
  handler_ = std::make_unique<CreateTokenHandler>(host);

  auto status = host.registry().add_permission(kPermission, {"admin"});
  if (!status.ok()) return status;
  hostsdk::RouteSpec route;
  route.method = kRouteMethod;
  route.path = kRoutePath;
  route.requires_auth = true;
  status = host.registry().add_route(route, *handler_);
  if (!status.ok()) return status;
  host.logger().log(hostsdk::LogLevel::kInfo, "users.createToken plugin started");
  return status;
}

void CreateTokenPlugin::stop() noexcept {
  if (host_ != nullptr)
    host_->logger().log(hostsdk::LogLevel::kInfo, "users.createToken plugin stopped");
}

}  // namespace create_token
