// The Registry a plugin sees during start(): records routes and permissions for the loader
// to compare with the manifest; nothing is routed until every check has passed.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "hostsdk/plugin.h"

namespace host::loader {

struct RegisteredRoute {
  std::string method;
  std::string path;
  bool requires_auth = true;
  hostsdk::RouteHandler* handler = nullptr;
};

struct RegisteredPermission {
  std::string id;
  std::vector<std::string> default_roles;
};

class RecordingRegistry final : public hostsdk::Registry {
 public:
  hostsdk::Status add_route(const hostsdk::RouteSpec& spec,
                            hostsdk::RouteHandler& handler) noexcept override;
  hostsdk::Status add_permission(std::string_view id,
                                 const std::vector<std::string>& default_roles) noexcept override;

  // Registration is only open during start(); later calls are refused.
  void close() noexcept;
  std::vector<RegisteredRoute> routes() const;
  std::vector<RegisteredPermission> permissions() const;

 private:
  mutable std::mutex mutex_;
  bool closed_ = false;
  std::vector<RegisteredRoute> routes_;
  std::vector<RegisteredPermission> permissions_;
};

}  // namespace host::loader
