// Response bodies. Built with nlohmann::ordered_json so that key order is the insertion
// order; dump() replaces invalid UTF-8 instead of throwing, so writing never fails.
#include "responses.h"

#include <nlohmann/json.hpp>
#include <string>

namespace create_token {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kNotLoggedIn = "You must be logged in to do this.";

void write_json(hostsdk::Response& response, int status, const Json& body) {
  response.status = status;
  response.content_type = "application/json";
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// {"success":false,"error":"<message> [<type>]","errorType":"<type>"}
Json rocket_chat_error(std::string_view message, std::string_view type) {
  Json body;
  body["success"] = false;
  body["error"] = std::string(message) + " [" + std::string(type) + "]";
  body["errorType"] = type;
  return body;
}

}  // namespace

void write_error(hostsdk::Response& response, ErrorKind kind, std::string_view detail) {
  switch (kind) {
    case ErrorKind::kNotLoggedIn: {
      Json body;
      body["success"] = false;
      body["error"] = kNotLoggedIn;
      body["status"] = "error";
      body["message"] = kNotLoggedIn;
      return write_json(response, 401, body);
    }
    case ErrorKind::kNotAuthorized: {
      Json body = rocket_chat_error("Not authorized", "error-not-authorized");
      body["details"] = Json{{"method", "createToken"}};
      return write_json(response, 400, body);
    }
    case ErrorKind::kInvalidParams:
      return write_json(response, 400, rocket_chat_error(detail, "error-invalid-params"));
    case ErrorKind::kUserParamNotProvided:
      return write_json(
          response, 400,
          rocket_chat_error(R"(The required "userId" or "username" param was not provided)",
                            "error-user-param-not-provided"));
    case ErrorKind::kInvalidUser:
      return write_json(
          response, 400,
          rocket_chat_error(
              R"(The required "userId" or "username" param provided does not match any users)",
              "error-invalid-user"));
    case ErrorKind::kUserNotActivated:
      return write_json(response, 400,
                        rocket_chat_error("User is not activated", "error-user-is-not-activated"));
    case ErrorKind::kServiceUnavailable:
      return write_json(
          response, 503,
          rocket_chat_error("Service unavailable, try again later", "error-service-unavailable"));
  }
}

void write_success(hostsdk::Response& response, std::string_view user_id, std::string_view token) {
  Json data;
  data["userId"] = user_id;
  data["authToken"] = token;
  Json body;
  body["data"] = std::move(data);
  body["success"] = true;
  write_json(response, 200, body);
}

}  // namespace create_token
