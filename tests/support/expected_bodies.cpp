// Builders for the expected bodies whose text varies (invalid-params problem, success
// id and token), and the lookup from errorType to the spec's exact body.
#include "expected_bodies.h"

namespace rct {

std::string invalid_params_body(std::string_view problem) {
  // Problems the tests use never contain characters that need JSON escaping except '"'.
  std::string escaped;
  for (char c : problem) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return R"({"success":false,"error":")" + escaped +
         R"( [error-invalid-params]","errorType":"error-invalid-params"})";
}

std::string success_body(std::string_view user_id, std::string_view token) {
  return R"({"data":{"userId":")" + std::string(user_id) + R"(","authToken":")" +
         std::string(token) + R"("},"success":true})";
}

std::string_view exact_body_for(std::string_view error_type) {
  if (error_type == "error-not-authorized") return kNotAuthorizedBody;
  if (error_type == "error-user-param-not-provided") return kUserParamNotProvidedBody;
  if (error_type == "error-invalid-user") return kInvalidUserBody;
  if (error_type == "error-user-is-not-activated") return kUserNotActivatedBody;
  if (error_type == "error-service-unavailable") return kServiceUnavailableBody;
  return {};
}

}  // namespace rct
