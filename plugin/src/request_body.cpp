// Body parsing with nlohmann-json. Nesting is capped through the parser callback, which
// discards deep values instead of building them, so a hostile body costs linear time only.
#include "request_body.h"

#include <array>
#include <nlohmann/json.hpp>
#include <set>

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
  // The parser takes a NUL byte for the end of input, which would hide what follows it.
  if (text.find('\0') != std::string_view::npos) return invalid("Request body contains a NUL byte");

  bool too_deep = false;
  bool repeated_key = false;
  std::set<std::string> top_level_keys;
  const Json::parser_callback_t inspect = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (depth > kMaxBodyDepth) too_deep = true;
    // A repeated top-level key makes the target ambiguous: parsers disagree on which wins.
    if (event == Json::parse_event_t::key && depth == 1 &&
        !top_level_keys.insert(parsed.get<std::string>()).second) {
      repeated_key = true;
    }
    return !too_deep;
  };
  Json document;
  try {
    document = Json::parse(text.begin(), text.end(), inspect);
  } catch (const Json::parse_error& e) {
    // The library's own message quotes the body (which may hold the secret): not used.
    return invalid("Request body is not valid JSON (syntax error near byte " +
                   std::to_string(e.byte) + ")");
  } catch (const Json::exception&) {
    // Valid syntax the library still cannot hold, such as a number beyond double range.
    return invalid("Request body is not valid JSON (a value is out of range)");
  }
  if (too_deep) {
    return invalid("Request body nests deeper than " + std::to_string(kMaxBodyDepth) + " levels");
  }
  if (repeated_key) return invalid("Request body repeats a key; each may appear only once");
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
