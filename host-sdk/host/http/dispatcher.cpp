// Request handling order: workspace → route (enabled here?) → 401 before the body is read
// → rate limit → guarded handler. One log line per request; never tokens or bodies.
#include "http/dispatcher.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>
#include <iterator>
#include <random>

#include "services/logger_service.h"

namespace host::http {
namespace {

constexpr std::string_view kUnmatched = "unmatched";

bool is_outage(const hostsdk::Status& s) {
  return s.code() == hostsdk::StatusCode::kUnavailable ||
         s.code() == hostsdk::StatusCode::kInternal;
}

// Bounded label values for metrics: arbitrary client methods collapse into one.
std::string_view method_label(std::string_view m) {
  for (std::string_view known : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
    if (m == known) return known;
  }
  return "OTHER";
}

std::string_view clip(std::string_view s, std::size_t n) { return s.substr(0, n); }

bool header_safe(const std::string& s) { return s.find_first_of("\r\n") == std::string::npos; }

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;  // b is lower case
  }
  return true;
}

// The value of a credential header (`lower_name` in lower case); empty when absent or sent
// more than once: a proxy and the host could disagree on which one counts, and Rocket.Chat,
// which joins them into one value, refuses such a request too.
std::string_view credential(const hostsdk::Request& r, std::string_view lower_name) noexcept {
  std::string_view found;
  bool seen = false;
  for (std::size_t i = 0; i < r.header_count; ++i) {
    if (!iequals(r.headers[i].name, lower_name)) continue;
    if (seen) return {};
    seen = true;
    found = r.headers[i].value;
  }
  return found;
}

// Headers a handler may not set: they would break the framing or the response.
bool reserved_header(std::string_view name) noexcept {
  for (std::string_view reserved :
       {"content-length", "transfer-encoding", "connection", "content-type"}) {
    if (iequals(name, reserved)) return true;
  }
  return false;
}

}  // namespace

Dispatcher::Dispatcher(DispatcherDeps deps) : deps_(std::move(deps)) {
  std::random_device rd;
  id_prefix_ = rd();
}

std::string Dispatcher::next_request_id() {
  // "<prefix, 8 hex digits>-<counter, at least 6>": 15 characters until the counter passes
  // 2^24, within std::string's inline buffer.
  static constexpr char kHex[] = "0123456789abcdef";
  char id[32];
  char* end = id + sizeof id;
  char* at = end;
  std::uint64_t n = ++id_counter_;
  for (int digits = 0; n != 0 || digits < 6; ++digits, n >>= 4) *--at = kHex[n & 15];
  *--at = '-';
  std::uint32_t prefix = id_prefix_;
  for (int i = 0; i < 8; ++i, prefix >>= 4) *--at = kHex[prefix & 15];
  return std::string(at, end);
}

hostsdk::Response Dispatcher::dispatch(const IncomingRequest& in) noexcept {
  Dispatched d;
  (void)admit(in, d);
  begin(in, d);
  return end(d, d.writes.wait());
}

bool Dispatcher::admit(const IncomingRequest& in, Dispatched& d) noexcept {
  bool concurrent = in_flight_.fetch_add(1, std::memory_order_relaxed) > 0;
  d.writes.set_mode(concurrent ? RequestWrites::Mode::kDeferred : RequestWrites::Mode::kImmediate);
  const std::vector<Route>* candidates =
      deps_.routes.find(in.target.substr(0, in.target.find('?')));
  if (candidates == nullptr) return false;
  bool worker = false;
  for (const Route& r : *candidates) {
    worker = worker || r.blocking == Blocking::kAlways ||
             (r.blocking == Blocking::kOnWrites && !concurrent);
  }
  return worker;
}

void Dispatcher::begin(const IncomingRequest& in, Dispatched& d) noexcept {
  d.started = std::chrono::steady_clock::now();
  d.method = in.method;
  d.path = in.target.substr(0, in.target.find('?'));
  // The handler's log lines wait for the request line (end()), and leave with it in one write.
  LogLineHold hold;
  try {
    d.route = kUnmatched;
    d.request_id = next_request_id();
    // Whatever the request writes (session, audit) may be deferred to one commit, which the
    // caller runs (d.writes.commit) before end() builds the answer.
    CommitScope scope(d.writes);
    d.response = route(in, d);
  } catch (const std::exception& e) {
    spdlog::error("request {} failed inside the host: {}", d.request_id, e.what());
    d.response = internal_error();
  }
}

hostsdk::Response Dispatcher::end(Dispatched& d, const Status& committed) noexcept {
  if (!committed.ok()) {
    // Nothing of the request was stored (its deferred writes commit together or not at all).
    spdlog::error("{} {}: the writes of request {} did not commit ({}); answered 503",
                  clip(d.method, 16), clip(d.path, 256), d.request_id, committed.message());
    d.response = service_unavailable();
  }
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - d.started)
          .count();
  finish(d.response, d, ms);
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  return std::move(d.response);
}

hostsdk::Response Dispatcher::refuse(ProtocolError error,
                                     std::string_view client_address) noexcept {
  hostsdk::Response response = protocol_error_reply(error);
  try {
    std::string id = next_request_id();
    RequestLogFields fields;
    fields.route = kUnmatched;
    fields.status = response.status;
    fields.request_id = id;
    RequestLogScope scope(fields);
    spdlog::info("- - {} 0.00ms ws=- caller=- req={} addr={} (refused by the HTTP parser)",
                 response.status, id, client_address);
    deps_.metrics.record("OTHER", kUnmatched, response.status, 0);
    response.headers.emplace_back("X-Request-Id", id);
  } catch (...) {
  }
  return response;
}

hostsdk::Response Dispatcher::route(const IncomingRequest& in, Dispatched& trace) {
  const std::string& request_id = trace.request_id;
  std::string_view path = in.target.substr(0, in.target.find('?'));

  auto workspace = deps_.services.resolve_workspace(in.host);
  if (!workspace.ok()) return service_unavailable();
  trace.workspace = workspace.value();

  // Route: a plugin route exists only where its plugin is enabled.
  const std::vector<Route>* candidates = deps_.routes.find(path);
  if (candidates == nullptr) return not_found();
  const Route* match = nullptr;
  std::string allow;  // built only for a 405
  bool any_enabled = false;
  for (const Route& r : *candidates) {
    if (!r.plugin_id.empty()) {
      auto enabled = deps_.enablement.enabled(trace.workspace, r.plugin_id);
      if (!enabled.ok()) return service_unavailable();
      if (!enabled.value()) continue;
    }
    any_enabled = true;
    if (r.method == in.method) {
      match = &r;
    } else if (match == nullptr) {
      allow += (allow.empty() ? "" : ", ") + r.method;
    }
  }
  if (!any_enabled) return not_found();
  trace.route = candidates->front().path;
  if (match == nullptr) return method_not_allowed(allow);

  hostsdk::Request request;
  request.method = in.method;
  request.path = path;
  request.body = in.body;
  request.workspace = trace.workspace;
  request.client_address = in.client_address;
  request.request_id = request_id;
  request.headers = in.headers;
  request.header_count = in.header_count;

  // Authentication comes before anything looks at the body.
  hostsdk::UserInfo user;
  hostsdk::Caller caller;
  if (match->requires_auth) {
    std::string_view user_id = credential(request, "x-user-id");
    std::string_view token = credential(request, "x-auth-token");
    if (user_id.empty() || token.empty()) return unauthorized();
    auto authenticated = deps_.services.authenticate(trace.workspace, user_id, token);
    if (!authenticated.ok()) {
      return is_outage(authenticated.status()) ? service_unavailable() : unauthorized();
    }
    user = std::move(authenticated).value();
    caller.user_id = user.id;
    caller.username = user.username;
    caller.roles = &user.roles;
    request.caller = &caller;
    trace.caller_id = user.id;
  }

  // Rate limit, unless the caller holds the bypass permission.
  std::vector<std::pair<std::string, std::string>> limit_headers;
  if (match->rate_limit) {
    bool bypass = false;
    if (request.caller != nullptr) {
      auto held = deps_.services.authorization().has_permission(trace.workspace, user.id,
                                                                kBypassRateLimitPermission);
      bypass = held.ok() && held.value();
    }
    if (!bypass) {
      std::int64_t now_ms = deps_.services.clock().now_ms();
      std::string key = fmt::format("{}\n{} {}\n{}", trace.workspace, match->method, match->path,
                                    in.client_address);
      RateDecision d = deps_.rate_limiter.hit(key, *match->rate_limit, now_ms);
      if (!d.allowed) return rate_limited(*match, request, d, now_ms);
      limit_headers = {{"X-RateLimit-Limit", std::to_string(d.limit)},
                       {"X-RateLimit-Remaining", std::to_string(d.remaining)},
                       {"X-RateLimit-Reset", std::to_string(d.reset_ms)}};
    }
  }

  hostsdk::Response response;
  try {
    match->handler->handle(request, response);
  } catch (const std::exception& e) {
    spdlog::error("route {} {} (plugin \"{}\") threw: {}; answered 500 (request {})", match->method,
                  match->path, match->plugin_id, e.what(), request_id);
    response = internal_error();
  } catch (...) {
    spdlog::error(
        "route {} {} (plugin \"{}\") threw a non-standard exception; answered 500 "
        "(request {})",
        match->method, match->path, match->plugin_id, request_id);
    response = internal_error();
  }
  if (response.status < 100 || response.status > 599) {
    spdlog::error("route {} {} answered invalid status {}; sent 500 (request {})", match->method,
                  match->path, response.status, request_id);
    response = internal_error();
  }
  for (auto& h : limit_headers) response.headers.push_back(std::move(h));
  return response;
}

hostsdk::Response Dispatcher::rate_limited(const Route& route, const hostsdk::Request& request,
                                           const RateDecision& decision, std::int64_t now_ms) {
  deps_.metrics.rate_limited(route.path);
  if (request.caller != nullptr) {
    hostsdk::AuditEvent event;
    event.workspace = request.workspace;
    event.action = route.action;
    event.caller_id = request.caller->user_id;
    event.client_address = request.client_address;
    event.outcome = "refused";
    event.reason = kRateLimitedReason;
    if (Status s = deps_.services.audit().record(event); !s.ok()) {
      spdlog::warn("audit of a rate-limited request failed: {}", s.message());
    }
  }
  hostsdk::Response response = too_many_requests(decision.wait_seconds(now_ms));
  response.headers = {{"X-RateLimit-Limit", std::to_string(decision.limit)},
                      {"X-RateLimit-Remaining", "0"},
                      {"X-RateLimit-Reset", std::to_string(decision.reset_ms)}};
  return response;
}

void Dispatcher::finish(hostsdk::Response& response, const Dispatched& trace,
                        double duration_ms) noexcept {
  std::string_view method = trace.method;
  std::string_view path = trace.path;
  const std::string& request_id = trace.request_id;
  try {
    if (response.content_type.empty() || !header_safe(response.content_type)) {
      response.content_type = std::string(kJsonContentType);
    }
    // Handlers may add headers, but not ones that would break framing or the response.
    std::erase_if(response.headers, [](const auto& h) {
      return !header_safe(h.first) || !header_safe(h.second) || h.first.empty() ||
             reserved_header(h.first);
    });
    response.headers.emplace_back("X-Request-Id", request_id);
    // Not held: writes the handler's lines and this one (the request's) at once, before the
    // answer leaves. The fields say the same for a structured log format.
    RequestLogFields fields;
    fields.method = clip(method, 16);
    fields.path = clip(path, 256);
    fields.route = trace.route;
    fields.status = response.status;
    fields.duration_ms = duration_ms;
    fields.workspace = trace.workspace;
    fields.caller_id = trace.caller_id;
    fields.request_id = request_id;
    {
      RequestLogScope scope(fields);
      spdlog::info("{} {} {} {:.2f}ms ws={} caller={} req={}", fields.method, fields.path,
                   response.status, duration_ms, trace.workspace.empty() ? "-" : trace.workspace,
                   trace.caller_id.empty() ? "-" : trace.caller_id, request_id);
    }
    deps_.metrics.record(method_label(method), trace.route, response.status, duration_ms);
  } catch (...) {
  }
}

}  // namespace host::http
