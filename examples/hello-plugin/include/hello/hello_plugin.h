// The hello plugin object a host creates: start() registers GET /api/v1/hello (login
// required) and the permission view-hello that the handler checks.
#pragma once

#include <memory>
#include <string_view>

#include "hostsdk/plugin.h"

namespace hello {

inline constexpr std::string_view kRoutePath = "/api/v1/hello";
inline constexpr std::string_view kPermission = "view-hello";

class HelloHandler;

class HelloPlugin final : public hostsdk::Plugin {
 public:
  HelloPlugin();
  ~HelloPlugin() override;

  hostsdk::Status start(hostsdk::Host& host) override;
  void stop() noexcept override;

 private:
  hostsdk::Host* host_ = nullptr;
  // Registered with the host, so it must live until the plugin is destroyed.
  std::unique_ptr<HelloHandler> handler_;
};

}  // namespace hello
