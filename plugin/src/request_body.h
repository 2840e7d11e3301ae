// The request body of users.createToken, parsed and shape-checked (spec §2 step 2):
// a JSON object whose target fields, when present, are strings.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hostsdk/status.h"

namespace create_token {

// Deeper nesting than this is refused without being built (any real body has depth 1).
inline constexpr int kMaxBodyDepth = 32;

struct RequestBody {
  std::optional<std::string> user_id;   // "userId"
  std::optional<std::string> username;  // "username"
  std::optional<std::string> user;      // "user", an alias of username
  // "secret" only when it is a string; any other type counts as missing (spec §3).
  std::optional<std::string> secret;
};

// kInvalidArgument with a message naming the problem (never quoting the body) when the
// text is not valid UTF-8, not JSON, too deep, not an object, or a target is not a string.
hostsdk::Result<RequestBody> parse_request_body(std::string_view text);

}  // namespace create_token
