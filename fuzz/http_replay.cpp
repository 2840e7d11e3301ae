// Keep in step with http/server.cpp: read_header, the 100-continue check, read_body,
// on_read_error, handle and build_response are mirrored here without the socket.
#include "http_replay.h"

#include <boost/asio/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <sstream>

namespace rct_fuzz {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

std::string_view view(beast::string_view s) { return {s.data(), s.size()}; }

bool iequals(std::string_view a, std::string_view b) {
  return beast::iequals(beast::string_view(a.data(), a.size()),
                        beast::string_view(b.data(), b.size()));
}

// A SyncReadStream over the input, handing out at most 4096 bytes per read like the
// server's first read; end of input is the peer closing the connection.
class MemoryStream {
 public:
  explicit MemoryStream(std::string_view data) : data_(data) {}

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, beast::error_code& ec) {
    ec = {};
    if (data_.empty()) {
      ec = net::error::eof;
      return 0;
    }
    const std::size_t n = net::buffer_copy(
        buffers, net::buffer(data_.data(), std::min<std::size_t>(data_.size(), 4096)));
    data_.remove_prefix(n);
    return n;
  }

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    beast::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    if (ec) throw beast::system_error(ec);
    return n;
  }

 private:
  std::string_view data_;
};

// Session::on_read_error: which read errors get an answer, and which one.
std::optional<host::http::ProtocolError> answer_for(beast::error_code ec) {
  using host::http::ProtocolError;
  if (ec == bhttp::error::end_of_stream) return std::nullopt;
  if (ec == bhttp::error::body_limit) return ProtocolError::kBodyTooLarge;
  if (ec == bhttp::error::header_limit) return ProtocolError::kHeadersTooLarge;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
    return ProtocolError::kMalformed;
  }
  return std::nullopt;  // reset or the like: nobody to answer
}

// Session::build_response and Session::write's fallback.
void build(Exchange& ex, bool keep_alive, unsigned version) {
  bhttp::response<bhttp::string_body> msg;
  const auto fill = [&](const hostsdk::Response& out) {
    msg = {};
    msg.version(version == 10 ? 10 : 11);
    msg.result(static_cast<unsigned>(out.status));
    msg.set(bhttp::field::server, "rchost");
    msg.set(bhttp::field::content_type, out.content_type);
    for (const auto& [name, value] : out.headers) msg.set(name, value);
    msg.body() = out.body;
    msg.keep_alive(keep_alive);
    msg.prepare_payload();
  };
  try {
    fill(ex.response);
  } catch (const std::exception&) {
    ex.built_fallback = true;
    hostsdk::Response fallback = host::http::internal_error();
    fill(fallback);
  }
  ex.wire_fields = static_cast<std::size_t>(std::distance(msg.begin(), msg.end()));
  std::ostringstream out;
  out << msg;
  ex.wire = out.str();
}

}  // namespace

std::vector<Exchange> replay(std::string_view bytes, host::http::Dispatcher& dispatcher,
                             const host::http::ServerOptions& limits, std::size_t max_requests) {
  std::vector<Exchange> exchanges;
  MemoryStream stream(bytes);
  beast::flat_buffer buffer;
  std::vector<hostsdk::Header> headers;
  while (exchanges.size() < max_requests) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
    parser.body_limit(limits.body_limit);
    Exchange ex;
    beast::error_code ec;
    bhttp::read_header(stream, buffer, parser, ec);
    if (!ec && !parser.is_done() &&
        iequals(view(parser.get()[bhttp::field::expect]), "100-continue")) {
      ex.sent_continue = true;
    }
    if (!ec && !parser.is_done()) bhttp::read(stream, buffer, parser, ec);
    if (ec) {
      const auto error = answer_for(ec);
      if (!error) break;
      ex.refused = true;
      ex.response = dispatcher.refuse(*error, "192.0.2.1");
      build(ex, false, 11);
      exchanges.push_back(std::move(ex));
      break;
    }

    auto& req = parser.get();
    headers.clear();
    for (const auto& field : req)
      headers.push_back({view(field.name_string()), view(field.value())});
    host::http::IncomingRequest in;
    in.method = view(req.method_string());
    in.target = view(req.target());
    in.body = req.body();
    in.host = view(req[bhttp::field::host]);
    in.headers = headers.data();
    in.header_count = headers.size();
    in.client_address = "192.0.2.1";
    ex.method = in.method;
    ex.target = in.target;
    ex.response = dispatcher.dispatch(in);
    const bool keep_alive = req.keep_alive();
    build(ex, keep_alive, req.version());
    exchanges.push_back(std::move(ex));
    if (!keep_alive) break;
  }
  return exchanges;
}

}  // namespace rct_fuzz
