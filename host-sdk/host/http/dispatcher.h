// Turns one parsed HTTP request into a response: workspace, route, auth, rate limit, then
// the handler inside a guard; logs one line and counts it. Knows nothing of Beast.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "hostsdk/request.h"
#include "http/enablement_cache.h"
#include "http/host_metrics.h"
#include "http/rate_limiter.h"
#include "http/replies.h"
#include "http/route_table.h"
#include "services/services.h"

namespace host::http {

// Views into the server's parsed request, valid during dispatch().
struct IncomingRequest {
  std::string_view method;
  std::string_view target;  // path and query
  std::string_view body;
  std::string_view host;  // Host header
  const hostsdk::Header* headers = nullptr;
  std::size_t header_count = 0;
  std::string_view client_address;
};

struct DispatcherDeps {
  Services& services;
  const RouteTable& routes;
  EnablementCache& enablement;
  RateLimiter& rate_limiter;
  HostMetrics& metrics;
};

class Dispatcher {
 public:
  explicit Dispatcher(DispatcherDeps deps);

  // Never throws; every outcome is a JSON response (or the metrics text).
  hostsdk::Response dispatch(const IncomingRequest& request) noexcept;
  // Reply to a request the HTTP parser refused; logged and counted like the others.
  hostsdk::Response refuse(ProtocolError error, std::string_view client_address) noexcept;

 private:
  struct Trace;  // what the log line reports
  hostsdk::Response route(const IncomingRequest& in, const std::string& request_id, Trace& trace);
  hostsdk::Response rate_limited(const Route& route, const hostsdk::Request& request,
                                 const RateDecision& decision, std::int64_t now_ms);
  void finish(hostsdk::Response& response, std::string_view method, std::string_view path,
              const Trace& trace, const std::string& request_id, double duration_ms) noexcept;
  std::string next_request_id();

  DispatcherDeps deps_;
  std::uint32_t id_prefix_;
  std::atomic<std::uint64_t> id_counter_{0};
};

// Callers holding it skip rate limits; Services declares it with roles admin, bot, app.
inline constexpr std::string_view kBypassRateLimitPermission = "api-bypass-rate-limit";

// Audit action and metric name the host uses when it refuses a plugin request itself.
inline constexpr std::string_view kRateLimitedReason = "rate-limited";

}  // namespace host::http
