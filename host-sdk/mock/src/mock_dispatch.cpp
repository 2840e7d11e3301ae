// MockHost::dispatch: what a host does around a plugin's route handler — find the route,
// authenticate the caller, build the hostsdk::Request, run the handler inside a guard.
#include <exception>
#include <string>

#include "hostsdk/mock/mock_host.h"
#include "mock_logger.h"
#include "mock_registry.h"
#include "mock_sessions.h"
#include "mock_state.h"

namespace hostsdk::mock {

namespace {

Response json_response(int status, const char* body) {
  Response response;
  response.status = status;
  response.body = body;
  return response;
}

std::string_view find_header(const MockRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (detail::ascii_iequals(key, name)) return value;
  }
  return {};
}

}  // namespace

const char* MockHost::not_logged_in_body() noexcept {
  return R"({"success":false,"error":"You must be logged in to do this.","status":"error","message":"You must be logged in to do this."})";
}

// 404 and 500 match the reference host (host-sdk/host/http/replies.cpp) byte for byte.
const char* MockHost::not_found_body() noexcept {
  return R"({"error":"Not found","success":false})";
}

const char* MockHost::internal_error_body() noexcept {
  return R"({"error":"Internal server error","success":false})";
}

Response MockHost::dispatch(std::string_view method, std::string_view path,
                            std::string_view workspace, std::optional<std::string_view> caller_id,
                            std::string_view body,
                            std::vector<std::pair<std::string, std::string>> headers) noexcept {
  try {
    MockRequest request;
    request.method = std::string(method);
    request.path = std::string(path);
    request.workspace = std::string(workspace);
    if (caller_id) request.caller_id = std::string(*caller_id);
    request.body = std::string(body);
    request.headers = std::move(headers);
    return dispatch(request);
  } catch (...) {
    return json_response(500, internal_error_body());
  }
}

Response MockHost::dispatch(const MockRequest& in) noexcept {
  try {
    auto route = registry_->find_route(in.method, in.path);
    std::uint64_t request_number = 0;
    bool enabled = true;
    std::optional<UserInfo> caller;
    {
      std::lock_guard lock(state_->mutex);
      const auto* data = state_->find_workspace(in.workspace);
      enabled = data == nullptr || data->routes_enabled;
      request_number = state_->next_request++;
      // A trusted caller id skips the token check but must still be an active user here.
      if (in.caller_id) {
        const UserInfo* user = state_->find_user(in.workspace, *in.caller_id);
        if (user != nullptr && user->active) caller = *user;
      }
    }
    if (!route || !enabled) return json_response(404, not_found_body());

    if (!in.caller_id) {
      const auto user_id = find_header(in, "X-User-Id");
      const auto token = find_header(in, "X-Auth-Token");
      if (!user_id.empty() && !token.empty()) {
        caller = sessions_->authenticate(in.workspace, user_id, token);
      }
    }
    // Authentication comes before anything in the body is looked at.
    if (route->requires_auth && !caller) return json_response(401, not_logged_in_body());

    std::vector<Header> headers;
    headers.reserve(in.headers.size());
    for (const auto& [name, value] : in.headers) headers.push_back(Header{name, value});
    const std::string request_id = "mock-" + std::to_string(request_number);

    Caller who;
    if (caller) who = Caller{caller->id, caller->username, &caller->roles};
    Request request;
    request.method = in.method;
    request.path = in.path;
    request.body = in.body;
    request.workspace = in.workspace;
    request.client_address = in.client_address;
    request.request_id = request_id;
    request.headers = headers.data();
    request.header_count = headers.size();
    request.caller = caller ? &who : nullptr;

    Response response;
    try {
      route->handler->handle(request, response);
    } catch (const std::exception& e) {
      logger_->log(LogLevel::kError, "request " + request_id + " " + in.method + " " + in.path +
                                         ": handler threw: " + e.what());
      return json_response(500, internal_error_body());
    } catch (...) {
      logger_->log(LogLevel::kError, "request " + request_id + " " + in.method + " " + in.path +
                                         ": handler threw a non-standard exception");
      return json_response(500, internal_error_body());
    }
    return response;
  } catch (...) {
    return json_response(500, internal_error_body());
  }
}

}  // namespace hostsdk::mock
