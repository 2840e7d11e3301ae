// HelloHandler: permission check through the host, then the greeting as Rocket.Chat-style
// JSON. Service failures answer 503 rather than guessing; nothing here throws on purpose.
#include "hello_handler.h"

#include <string>

#include "hello/hello_plugin.h"
#include "json_text.h"

namespace hello {
namespace {

void reply(hostsdk::Response& response, int status, std::string body) {
  response.status = status;
  response.body = std::move(body);
}

}  // namespace

void HelloHandler::handle(const hostsdk::Request& request, hostsdk::Response& response) {
  // The host authenticates before calling a requires_auth route; this is only a safety net.
  if (request.caller == nullptr) {
    return reply(response, 401, R"({"success":false,"error":"You must be logged in to do this."})");
  }
  const hostsdk::Caller& caller = *request.caller;
  auto allowed =
      host_.authorization().has_permission(request.workspace, caller.user_id, kPermission);
  if (!allowed.ok()) {
    host_.logger().log(hostsdk::LogLevel::kError,
                       "hello: authorization unavailable: " + allowed.status().message());
    return reply(response, 503, R"({"success":false,"error":"Service unavailable"})");
  }
  if (!allowed.value()) {
    host_.metrics().count("hello_requests_total", R"(outcome="denied")", 1);
    return reply(response, 403,
                 R"({"success":false,"error":"User does not have the permissions required for )"
                 R"(this action [error-unauthorized]"})");
  }
  host_.metrics().count("hello_requests_total", R"(outcome="ok")", 1);
  reply(response, 200,
        R"({"message":")" + json_escape("hello " + std::string(caller.username)) +
            R"(","success":true})");
}

}  // namespace hello
