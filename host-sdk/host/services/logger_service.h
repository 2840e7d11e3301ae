// The SDK's Logger service: plugin messages go to spdlog's default logger, which the host
// configures at start (cli/logging.h). Plugins never touch spdlog themselves. Also what the
// host's log sink learns from the request being served: hold its lines, and its fields.
#pragma once

#include <string_view>

#include "hostsdk/services.h"

namespace host {

class LoggerService final : public hostsdk::Logger {
 public:
  void log(hostsdk::LogLevel level, std::string_view message) noexcept override;
};

// While one lives on a thread, lines logged there below warning level wait in the host's log
// sink until a line logged without one, a warning, or a flush writes everything waiting in
// one write: the dispatcher holds a request's lines and writes them with its own request
// line, before the answer leaves. A sink that does not look at it writes every line at once.
class LogLineHold {
 public:
  LogLineHold() noexcept { ++depth_; }
  ~LogLineHold() { --depth_; }
  LogLineHold(const LogLineHold&) = delete;
  LogLineHold& operator=(const LogLineHold&) = delete;

  static bool active() noexcept { return depth_ > 0; }

 private:
  static thread_local int depth_;
};

// The fields of a request line, for a structured log format; the line's text says the same.
struct RequestLogFields {
  std::string_view method;
  std::string_view path;   // without the query
  std::string_view route;  // the matched route's path, or "unmatched"
  int status = 0;
  double duration_ms = 0;
  std::string_view workspace;  // empty: none resolved
  std::string_view caller_id;  // empty: not authenticated
  std::string_view request_id;
};

// Makes `fields` the current thread's request line fields while the line is logged.
class RequestLogScope {
 public:
  explicit RequestLogScope(const RequestLogFields& fields) noexcept : previous_(current_) {
    current_ = &fields;
  }
  ~RequestLogScope() { current_ = previous_; }
  RequestLogScope(const RequestLogScope&) = delete;
  RequestLogScope& operator=(const RequestLogScope&) = delete;

  // The fields of the line being logged on this thread, or null for any other line.
  static const RequestLogFields* current() noexcept { return current_; }

 private:
  const RequestLogFields* previous_;
  static thread_local const RequestLogFields* current_;
};

}  // namespace host
