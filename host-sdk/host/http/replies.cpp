// Builds the host's JSON error replies; nlohmann escapes every string.
// Bodies of 401 and 429 are Rocket.Chat's exactly, since clients match them.
#include "http/replies.h"

#include <nlohmann/json.hpp>

namespace host::http {

hostsdk::Response json_error(int status, std::string_view error) {
  hostsdk::Response r;
  r.status = status;
  // Ordered: Rocket.Chat's bodies put "success" first, and clients compare text.
  r.body = nlohmann::ordered_json{{"success", false}, {"error", error}}.dump();
  return r;
}

hostsdk::Response not_found() { return json_error(404, "Not found"); }

hostsdk::Response method_not_allowed(std::string_view allow) {
  hostsdk::Response r = json_error(405, "Method not allowed");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

hostsdk::Response unauthorized() {
  hostsdk::Response r;
  r.status = 401;
  r.body = R"({"success":false,"error":"You must be logged in to do this.","status":"error",)"
           R"("message":"You must be logged in to do this."})";
  return r;
}

// The plugin's 503 body too: a client sees one body for an outage, whichever part met it.
hostsdk::Response service_unavailable() {
  hostsdk::Response r;
  r.status = 503;
  r.body = R"({"success":false,"error":"Service unavailable, try again later )"
           R"([error-service-unavailable]","errorType":"error-service-unavailable"})";
  return r;
}

hostsdk::Response internal_error() { return json_error(500, "Internal server error"); }

hostsdk::Response too_many_requests(std::int64_t wait_seconds) {
  return json_error(429,
                    "Error, too many requests. Please slow down. You must wait " +
                        std::to_string(wait_seconds) +
                        " seconds before trying this endpoint again. [error-too-many-requests]");
}

hostsdk::Response protocol_error_reply(ProtocolError error) {
  switch (error) {
    case ProtocolError::kBodyTooLarge:
      return json_error(413, "Request body too large");
    case ProtocolError::kHeadersTooLarge:
      return json_error(431, "Request header fields too large");
    case ProtocolError::kTimeout:
      return json_error(408, "Request timeout");
    case ProtocolError::kBadHost:
      return json_error(400, "Exactly one Host header is required");
    case ProtocolError::kUnsupportedEncoding:
      return json_error(501, "Transfer-Encoding other than chunked is not supported");
    case ProtocolError::kMalformed:
      break;
  }
  return json_error(400, "Malformed HTTP request");
}

}  // namespace host::http
