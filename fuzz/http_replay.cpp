// The server's Session without the socket: the same RequestReader steps (http/request_reader.h)
// over the input, read at most 4096 bytes at a time; end of input is the peer closing.
#include "http_replay.h"

#include <algorithm>
#include <cstring>

#include "http/request_reader.h"

namespace rct_fuzz {
namespace {

using host::http::RequestReader;
using Step = RequestReader::Step;

constexpr std::string_view kClient = "192.0.2.1";

// Session::write: the framed bytes are what the server writes.
void frame(Exchange& ex, bool keep_alive, unsigned version) {
  hostsdk::Response out = ex.response;  // frame_response moves the body out
  const host::http::FramedResponse framed =
      host::http::frame_response(out, keep_alive, version, ex.wire);
  ex.built_fallback = framed.fallback;
  ex.wire_fields = framed.fields;
}

}  // namespace

std::vector<Exchange> replay(std::string_view bytes, host::http::Dispatcher& dispatcher,
                             const host::http::ServerOptions& limits, std::size_t max_requests) {
  std::vector<Exchange> exchanges;
  RequestReader reader(host::http::ReadLimits{limits.header_limit, limits.body_limit});
  // Session::read_more, with the input as the socket.
  const auto read_some = [&]() -> Step {
    if (bytes.empty()) return reader.end_of_input();
    const auto room = reader.prepare();
    const std::size_t n = std::min({room.size(), bytes.size(), std::size_t{4096}});
    std::memcpy(room.data(), bytes.data(), n);
    bytes.remove_prefix(n);
    reader.commit(n);
    return reader.parse();
  };
  while (exchanges.size() < max_requests) {
    reader.start();  // Session::wait_for_request
    Exchange ex;
    Step step = reader.has_buffered() ? reader.parse() : read_some();
    while (step == Step::kNeedMore || step == Step::kSendContinue) {
      if (step == Step::kSendContinue) {
        ex.sent_continue = true;
        step = reader.parse();
      } else {
        step = read_some();
      }
    }
    if (step == Step::kClose) break;
    if (step == Step::kRefuse) {
      ex.refused = true;
      ex.response = dispatcher.refuse(reader.refusal(), kClient);
      frame(ex, false, 11);
      exchanges.push_back(std::move(ex));
      break;
    }
    const host::http::IncomingRequest& in = reader.request(kClient);
    ex.method = in.method;
    ex.target = in.target;
    ex.response = dispatcher.dispatch(in);
    const bool keep_alive = reader.keep_alive();
    frame(ex, keep_alive, reader.version());
    exchanges.push_back(std::move(ex));
    if (!keep_alive) break;
  }
  return exchanges;
}

}  // namespace rct_fuzz
