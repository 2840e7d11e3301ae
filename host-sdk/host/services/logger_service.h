// The SDK's Logger service: plugin messages go to spdlog's default logger, which the host
// configures in main. Plugins never touch spdlog themselves.
#pragma once

#include "hostsdk/services.h"

namespace host {

class LoggerService final : public hostsdk::Logger {
 public:
  void log(hostsdk::LogLevel level, std::string_view message) noexcept override;
};

}  // namespace host
