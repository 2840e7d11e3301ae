// The C++ side of the plugin boundary: what a plugin registers and what the host gives it.
// Host calls into plugin code (start, handlers) inside a guard that catches exceptions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hostsdk/request.h"
#include "hostsdk/services.h"
#include "hostsdk/status.h"

namespace hostsdk {

class RouteHandler {
 public:
  // Fills `response`. An exception that escapes becomes a JSON 500 and a log line.
  virtual void handle(const Request& request, Response& response) = 0;

 protected:
  ~RouteHandler() = default;
};

struct RouteSpec {
  std::string_view method;  // "POST"
  std::string_view path;    // "/api/v1/users.createToken"
  bool requires_auth = true;  // host answers 401 before the handler when not logged in
};

// Registration during start(); the handler must outlive the plugin's stop().
class Registry {
 public:
  virtual Status add_route(const RouteSpec& spec, RouteHandler& handler) noexcept = 0;
  virtual Status add_permission(std::string_view id,
                                const std::vector<std::string>& default_roles) noexcept = 0;

 protected:
  ~Registry() = default;
};

class Host {
 public:
  virtual Registry& registry() noexcept = 0;
  virtual Users& users() noexcept = 0;
  virtual Sessions& sessions() noexcept = 0;
  virtual Authorization& authorization() noexcept = 0;
  virtual Settings& settings() noexcept = 0;
  virtual Audit& audit() noexcept = 0;
  virtual Logger& logger() noexcept = 0;
  virtual Metrics& metrics() noexcept = 0;

 protected:
  ~Host() = default;
};

class Plugin {
 public:
  virtual ~Plugin() = default;
  // Registers routes and permissions; the Host outlives the plugin.
  virtual Status start(Host& host) = 0;
  virtual void stop() noexcept = 0;
};

}  // namespace hostsdk
