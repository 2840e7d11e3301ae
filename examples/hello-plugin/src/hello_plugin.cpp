// HelloPlugin: registers the permission and the route at start(). Any registration failure
// is returned, so the host refuses the plugin instead of running it half-registered.
#include "hello/hello_plugin.h"

#include "hello_handler.h"

namespace hello {

HelloPlugin::HelloPlugin() = default;
HelloPlugin::~HelloPlugin() = default;

hostsdk::Status HelloPlugin::start(hostsdk::Host& host) {
  if (handler_ != nullptr) return hostsdk::Status::Conflict("plugin already started");
  host_ = &host;
  handler_ = std::make_unique<HelloHandler>(host);

  // Must match manifest.json "permissions" and "routes": the host checks after start().
  auto status = host.registry().add_permission(kPermission, {"admin", "user"});
  if (!status.ok()) return status;
  hostsdk::RouteSpec route;
  route.method = "GET";
  route.path = kRoutePath;
  route.requires_auth = true;
  status = host.registry().add_route(route, *handler_);
  if (!status.ok()) return status;
  host.logger().log(hostsdk::LogLevel::kInfo, "hello plugin started");
  return status;
}

void HelloPlugin::stop() noexcept {
  if (host_ != nullptr) host_->logger().log(hostsdk::LogLevel::kInfo, "hello plugin stopped");
}

}  // namespace hello
