// Body parsing with nlohmann-json. Nesting is capped through the parser callback, which
// discards deep values instead of building them, so a hostile body costs linear time only.
#include "request_body.h"

#include <array>
#include <nlohmann/json.hpp>

#include "text.h"

namespace create_token {

namespace {

using Json = nlohmann::json;

hostsdk::Status invalid(std::string message) {
  return hostsdk::Status::Invalid(std::move(message));
}

}  // namespace

hostsdk::Result<RequestBody> parse_request_body(std::string_view text) {
  if (trim_whitespace(text).empty())
    return invalid("Request body is empty; expected a JSON object");
  if (!is_valid_utf8(text)) return invalid("Request body is not valid UTF-8");

  bool too_deep = false;
  const Json::parser_callback_t limit_depth = [&too_deep](int depth, Json::parse_event_t, Json&) {
    if (depth > kMaxBodyDepth) too_deep = true;
    return !too_deep;
  };
  Json document;
  try {
    document = Json::parse(text.begin(), text.end(), limit_depth);
  } catch (const Json::parse_error& e) {
    // The library's own message quotes the body (which may hold the secret): not used.
    return invalid("Request body is not valid JSON (syntax error near byte " +
                   std::to_string(e.byte) + ")");
  }
  if (too_deep) {
    return invalid("Request body nests deeper than " + std::to_string(kMaxBodyDepth) + " levels");
  }
  if (!document.is_object()) {
    return invalid(std::string("Request body must be a JSON object, not ") + document.type_name());
  }

  RequestBody body;
  const std::array<std::pair<const char*, std::optional<std::string>*>, 3> targets{
      {{"userId", &body.user_id}, {"username", &body.username}, {"user", &body.user}}};
  for (const auto& [name, field] : targets) {
    const auto it = document.find(name);
    if (it == document.end()) continue;
    if (!it->is_string()) {
      return invalid(std::string("Parameter \"") + name + "\" must be a string, not " +
                     it->type_name());
    }
    *field = it->get<std::string>();
  }
  if (const auto it = document.find("secret"); it != document.end() && it->is_string()) {
    body.secret = it->get<std::string>();
  }
  return body;
}

}  // namespace create_token
