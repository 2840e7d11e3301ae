// Forwards plugin log lines to spdlog verbatim (never as a format string), with line breaks
// escaped so one call is one log line.
#include "services/logger_service.h"

#include <spdlog/spdlog.h>

#include <string>

namespace host {
namespace {

spdlog::level::level_enum to_spdlog(hostsdk::LogLevel level) {
  switch (level) {
    case hostsdk::LogLevel::kDebug:
      return spdlog::level::debug;
    case hostsdk::LogLevel::kInfo:
      return spdlog::level::info;
    case hostsdk::LogLevel::kWarn:
      return spdlog::level::warn;
    case hostsdk::LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::string one_line(std::string_view message) {
  std::string line;
  line.reserve(message.size());
  for (char c : message) {
    if (c == '\n') {
      line += "\\n";
    } else if (c == '\r') {
      line += "\\r";
    } else {
      line += c;
    }
  }
  return line;
}

}  // namespace

thread_local int LogLineHold::depth_ = 0;
thread_local const RequestLogFields* RequestLogScope::current_ = nullptr;

void LoggerService::log(hostsdk::LogLevel level, std::string_view message) noexcept {
  try {
    auto* logger = spdlog::default_logger_raw();
    auto spd_level = to_spdlog(level);
    if (logger == nullptr || !logger->should_log(spd_level)) return;
    if (message.find_first_of("\r\n") == std::string_view::npos) {
      logger->log(spd_level, spdlog::string_view_t(message.data(), message.size()));
      return;
    }
    std::string line = one_line(message);
    logger->log(spd_level, spdlog::string_view_t(line.data(), line.size()));
  } catch (...) {
    // Logging must never take a request down.
  }
}

}  // namespace host
