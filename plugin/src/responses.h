// The HTTP answers of users.createToken, byte for byte as the spec (§1, §5) gives them,
// keys in Rocket.Chat's order.
#pragma once

#include <string_view>

#include "hostsdk/request.h"

namespace create_token {

enum class ErrorKind {
  kNotLoggedIn,           // 401
  kNotAuthorized,         // 400 error-not-authorized
  kInvalidParams,         // 400 error-invalid-params
  kUserParamNotProvided,  // 400 error-user-param-not-provided
  kInvalidUser,           // 400 error-invalid-user
  kUserNotActivated,      // 400 error-user-is-not-activated
  kServiceUnavailable,    // 503 error-service-unavailable
};

// `detail` is used by kInvalidParams only: the problem, without the error code suffix.
void write_error(hostsdk::Response& response, ErrorKind kind, std::string_view detail = {});

void write_success(hostsdk::Response& response, std::string_view user_id, std::string_view token);

}  // namespace create_token
