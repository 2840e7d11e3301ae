// Implements the built-in endpoints with Rocket.Chat's response shapes.
// Login and logout go through the same session service that plugins use to mint tokens.
#include "http/builtin_routes.h"

#include <nlohmann/json.hpp>

#include "http/replies.h"

#ifndef RCHOST_VERSION
#define RCHOST_VERSION "0.0.0"
#endif

namespace host::http {
namespace {

using nlohmann::json;

json user_json(const hostsdk::UserInfo& u) {
  return json{{"_id", u.id},        {"username", u.username}, {"name", u.name},
              {"active", u.active}, {"roles", u.roles},       {"type", "user"}};
}

void write_json(hostsdk::Response& response, int status, const json& body) {
  response.status = status;
  response.content_type = std::string(kJsonContentType);
  response.body = body.dump();
}

void write_reply(hostsdk::Response& response, hostsdk::Response reply) {
  response = std::move(reply);
}

bool is_outage(const hostsdk::Status& s) {
  return s.code() == hostsdk::StatusCode::kUnavailable ||
         s.code() == hostsdk::StatusCode::kInternal;
}

// The login name from {"user"|"username"|"email": ...}; "user" may also be an object
// {"username": ...} or {"email": ...} as Rocket.Chat's clients send it.
std::string login_name(const json& body) {
  for (const char* key : {"user", "username", "email"}) {
    auto it = body.find(key);
    if (it == body.end()) continue;
    if (it->is_string() && !it->get<std::string>().empty()) return it->get<std::string>();
    if (it->is_object()) {
      for (const char* inner : {"username", "email"}) {
        auto in = it->find(inner);
        if (in != it->end() && in->is_string()) return in->get<std::string>();
      }
    }
  }
  return {};
}

class LoginHandler final : public hostsdk::RouteHandler {
 public:
  explicit LoginHandler(Services& s) : services_(s) {}
  void handle(const hostsdk::Request& request, hostsdk::Response& response) override {
    json body = json::parse(request.body.begin(), request.body.end(), nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      write_json(response, 400,
                 {{"success", false},
                  {"status", "error"},
                  {"error", "The body must be a JSON object [error-invalid-params]"},
                  {"errorType", "error-invalid-params"}});
      return;
    }
    std::string name = login_name(body);
    auto password = body.find("password");
    if (name.empty() || password == body.end() || !password->is_string()) {
      return unauthorized_reply(response);
    }
    auto result = services_.login(request.workspace, name, password->get<std::string>());
    if (!result.ok()) {
      if (is_outage(result.status())) return write_reply(response, service_unavailable());
      return unauthorized_reply(response);
    }
    const LoginResult& login = result.value();
    write_json(
        response, 200,
        {{"status", "success"},
         {"data",
          {{"userId", login.user.id}, {"authToken", login.token}, {"me", user_json(login.user)}}}});
  }

 private:
  // Rocket.Chat's body, plus "success":false which every error of this host carries.
  static void unauthorized_reply(hostsdk::Response& response) {
    write_json(response, 401,
               {{"status", "error"},
                {"error", "Unauthorized"},
                {"message", "Unauthorized"},
                {"success", false}});
  }
  Services& services_;
};

class MeHandler final : public hostsdk::RouteHandler {
 public:
  explicit MeHandler(Services& s) : services_(s) {}
  void handle(const hostsdk::Request& request, hostsdk::Response& response) override {
    auto user = services_.users().find_by_id(request.workspace, request.caller->user_id);
    if (!user.ok()) {
      if (is_outage(user.status())) return write_reply(response, service_unavailable());
      return write_reply(response, unauthorized());
    }
    json body = user_json(user.value());
    body["success"] = true;
    write_json(response, 200, body);
  }

 private:
  Services& services_;
};

class LogoutHandler final : public hostsdk::RouteHandler {
 public:
  explicit LogoutHandler(Services& s) : services_(s) {}
  void handle(const hostsdk::Request& request, hostsdk::Response& response) override {
    hostsdk::Status s = services_.sessions().revoke(request.workspace, request.caller->user_id,
                                                    request.header("X-Auth-Token"));
    if (!s.ok() && is_outage(s)) return write_reply(response, service_unavailable());
    write_json(response, 200,
               {{"status", "success"}, {"data", {{"message", "You've been logged out!"}}}});
  }

 private:
  Services& services_;
};

// A body that never changes, serialised once rather than on every request.
class ConstantHandler final : public hostsdk::RouteHandler {
 public:
  explicit ConstantHandler(const json& body) : body_(body.dump()) {}
  void handle(const hostsdk::Request&, hostsdk::Response& response) override {
    response.status = 200;
    response.content_type = std::string(kJsonContentType);
    response.body = body_;
  }

 private:
  std::string body_;
};

class MetricsHandler final : public hostsdk::RouteHandler {
 public:
  MetricsHandler(Services& s, const HostMetrics& m) : services_(s), metrics_(m) {}
  void handle(const hostsdk::Request&, hostsdk::Response& response) override {
    response.status = 200;
    response.content_type = "text/plain; version=0.0.4";
    response.body = services_.render_metrics();
    if (!response.body.empty() && response.body.back() != '\n') response.body += '\n';
    response.body += metrics_.render();
  }

 private:
  Services& services_;
  const HostMetrics& metrics_;
};

class ClockAdvanceHandler final : public hostsdk::RouteHandler {
 public:
  explicit ClockAdvanceHandler(std::shared_ptr<OffsetClock> c) : clock_(std::move(c)) {}
  void handle(const hostsdk::Request& request, hostsdk::Response& response) override {
    json body = json::parse(request.body.begin(), request.body.end(), nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("ms") ||
        !body["ms"].is_number_integer()) {
      return write_reply(response, json_error(400, "Body must be {\"ms\": <integer>}"));
    }
    clock_->advance_ms(body["ms"].get<std::int64_t>());
    write_json(response, 200, {{"success", true}, {"now_ms", clock_->now_ms()}});
  }

 private:
  std::shared_ptr<OffsetClock> clock_;
};

}  // namespace

struct BuiltinRoutes::Handlers {
  Handlers(Services& s, const HostMetrics& m, std::shared_ptr<OffsetClock> c)
      : login(s),
        me(s),
        logout(s),
        info(json{{"version", RCHOST_VERSION}, {"success", true}}),
        health(json{{"status", "ok"}, {"success", true}}),
        metrics(s, m),
        clock(std::move(c)) {}
  LoginHandler login;
  MeHandler me;
  LogoutHandler logout;
  ConstantHandler info;
  ConstantHandler health;
  MetricsHandler metrics;
  ClockAdvanceHandler clock;
};

BuiltinRoutes::BuiltinRoutes(Services& services, const HostMetrics& metrics,
                             std::shared_ptr<OffsetClock> test_clock)
    : test_clock_(test_clock != nullptr) {
  handlers_ = std::make_unique<Handlers>(services, metrics, std::move(test_clock));
}

BuiltinRoutes::~BuiltinRoutes() = default;

void BuiltinRoutes::add_to(RouteTable& table) {
  auto add = [&](const char* method, const char* path, bool auth, Blocking blocking,
                 hostsdk::RouteHandler& h) {
    Route r;
    r.method = method;
    r.path = path;
    r.action = action_of(path);
    r.requires_auth = auth;
    r.blocking = blocking;
    r.handler = &h;
    table.add(std::move(r));
  };
  // Login hashes a password; logout revokes with a write that answers at once.
  add("POST", "/api/v1/login", false, Blocking::kAlways, handlers_->login);
  add("GET", "/api/v1/me", true, Blocking::kNever, handlers_->me);
  add("POST", "/api/v1/logout", true, Blocking::kAlways, handlers_->logout);
  add("GET", "/api/info", false, Blocking::kNever, handlers_->info);
  add("GET", "/health", false, Blocking::kNever, handlers_->health);
  add("GET", "/metrics", false, Blocking::kNever, handlers_->metrics);
  if (test_clock_)
    add("POST", "/api/test/clock/advance", false, Blocking::kNever, handlers_->clock);
}

}  // namespace host::http
