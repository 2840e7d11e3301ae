// The exact response bodies the spec gives (§2, §5), copied from it by hand so that the
// tests check the plugin against the spec rather than against the plugin's own constants.
#pragma once

#include <string>
#include <string_view>

namespace rct {

inline constexpr std::string_view kNotLoggedInBody =
    R"({"success":false,"error":"You must be logged in to do this.","status":"error","message":"You must be logged in to do this."})";
inline constexpr std::string_view kNotAuthorizedBody =
    R"({"success":false,"error":"Not authorized [error-not-authorized]","errorType":"error-not-authorized","details":{"method":"createToken"}})";
inline constexpr std::string_view kUserParamNotProvidedBody =
    R"({"success":false,"error":"The required \"userId\" or \"username\" param was not provided [error-user-param-not-provided]","errorType":"error-user-param-not-provided"})";
inline constexpr std::string_view kInvalidUserBody =
    R"({"success":false,"error":"The required \"userId\" or \"username\" param provided does not match any users [error-invalid-user]","errorType":"error-invalid-user"})";
inline constexpr std::string_view kUserNotActivatedBody =
    R"({"success":false,"error":"User is not activated [error-user-is-not-activated]","errorType":"error-user-is-not-activated"})";
inline constexpr std::string_view kServiceUnavailableBody =
    R"({"success":false,"error":"Service unavailable, try again later [error-service-unavailable]","errorType":"error-service-unavailable"})";

// {"success":false,"error":"<problem> [error-invalid-params]","errorType":"error-invalid-params"}
std::string invalid_params_body(std::string_view problem);

// The exact body of a success, for a known user id and token.
std::string success_body(std::string_view user_id, std::string_view token);

// The exact error body for an errorType the spec spells out; empty for others.
std::string_view exact_body_for(std::string_view error_type);

}  // namespace rct
