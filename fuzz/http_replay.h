// A socket-free replay of one rchost connection for fuzz_http: http/server.cpp's Session
// steps (http/request_reader.h: parsing, limits, framing) with the Dispatcher, no socket.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "hostsdk/request.h"
#include "http/dispatcher.h"
#include "http/server.h"

namespace rct_fuzz {

struct Exchange {
  bool refused = false;         // answered by Dispatcher::refuse (the parser gave up)
  bool sent_continue = false;   // a "100 Continue" went out before the body was read
  std::string method, target;   // of the parsed request; empty when refused
  hostsdk::Response response;   // what the dispatcher returned
  bool built_fallback = false;  // Beast would not take the response; a plain 500 went out
  std::string wire;             // the response bytes the server writes (frame_response)
  std::size_t wire_fields = 0;  // header fields in the message that was serialized
};

// Requests answered in order until the connection would close, at most `max_requests`.
std::vector<Exchange> replay(std::string_view bytes, host::http::Dispatcher& dispatcher,
                             const host::http::ServerOptions& limits, std::size_t max_requests);

}  // namespace rct_fuzz
