// The JSON replies the host itself writes: errors (always "success":false) and the
// protocol-level refusals of requests that never reached a route.
#pragma once

#include <cstdint>
#include <string_view>

#include "hostsdk/request.h"

namespace host::http {

inline constexpr std::string_view kJsonContentType = "application/json";

// {"success":false,"error":<error>} with the given status.
hostsdk::Response json_error(int status, std::string_view error);

hostsdk::Response not_found();
hostsdk::Response method_not_allowed(std::string_view allow);
hostsdk::Response unauthorized();  // the exact Rocket.Chat "must be logged in" body
hostsdk::Response service_unavailable();
hostsdk::Response internal_error();
hostsdk::Response too_many_requests(std::int64_t wait_seconds);

// Answers to requests the HTTP parser refused; the connection closes after them.
enum class ProtocolError {
  kMalformed,
  kBodyTooLarge,
  kHeadersTooLarge,
  kTimeout,
  kBadHost,              // HTTP/1.1 without Host, or Host given twice
  kUnsupportedEncoding,  // a transfer coding other than chunked alone
};
hostsdk::Response protocol_error_reply(ProtocolError error);

}  // namespace host::http
