// Turns one parsed HTTP request into a response: workspace, route, auth, rate limit, then
// the handler inside a guard; logs one line and counts it. Knows nothing of Beast.
#pragma once

#include <atomic>
#include <chrono>
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
#include "storage/commit_scope.h"

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

// One request between Dispatcher::begin and Dispatcher::end: the handler has answered, and
// the writes it deferred (RequestWrites) are yet to be committed.
struct Dispatched {
  hostsdk::Response response;
  RequestWrites writes;
  std::chrono::steady_clock::time_point started;
  std::string_view method, path;  // views into the request, which outlives this
  std::string_view route;         // the matched route's path (in the table) or "unmatched"
  std::string request_id, workspace, caller_id;
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

  // Never throws; every outcome is a JSON response (or the metrics text). The same as
  // admit(), begin(), waiting for out.writes.commit(), then end().
  hostsdk::Response dispatch(const IncomingRequest& request) noexcept;

  // A request in three steps, for a server that does not wait for commits:
  // admit() counts it in flight and decides how its writes go. They are always committed
  // together, atomically, after the handler (with other requests in flight, in one commit
  // shared with theirs); alone, each is also tried as it is made (SQLite), so a failure
  // reaches the handler as it happens. True when begin() may then hold its thread for long:
  // run it on a worker. `out` must be fresh.
  bool admit(const IncomingRequest& request, Dispatched& out) noexcept;
  // Runs the request up to and including its handler.
  void begin(const IncomingRequest& request, Dispatched& out) noexcept;
  // Once out.writes.commit() has reported `committed`: the response to send (503 when the
  // writes did not commit), logged and counted; the request leaves the in-flight count.
  hostsdk::Response end(Dispatched& dispatched, const Status& committed) noexcept;
  // Reply to a request the HTTP parser refused; logged and counted like the others.
  hostsdk::Response refuse(ProtocolError error, std::string_view client_address) noexcept;

 private:
  hostsdk::Response route(const IncomingRequest& in, Dispatched& trace);
  hostsdk::Response rate_limited(const Route& route, const hostsdk::Request& request,
                                 const RateDecision& decision, std::int64_t now_ms);
  void finish(hostsdk::Response& response, const Dispatched& trace, double duration_ms) noexcept;
  std::string next_request_id();

  DispatcherDeps deps_;
  std::uint32_t id_prefix_;
  std::atomic<std::uint64_t> id_counter_{0};
  std::atomic<int> in_flight_{0};  // admitted and not yet ended
};

// Callers holding it skip rate limits; Services declares it with roles admin, bot, app.
inline constexpr std::string_view kBypassRateLimitPermission = "api-bypass-rate-limit";

// Audit action and metric name the host uses when it refuses a plugin request itself.
inline constexpr std::string_view kRateLimitedReason = "rate-limited";

}  // namespace host::http
