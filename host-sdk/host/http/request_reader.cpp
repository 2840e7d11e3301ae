// RequestReader over Beast's request parser and flat_buffer, driven by hand instead of by
// http::async_read so that no socket is involved; the loop is Beast's read_some: parse what is
// buffered, ask for more only when the parser needs it.
#include "http/request_reader.h"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace host::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

std::string_view view(beast::string_view s) { return {s.data(), s.size()}; }

constexpr std::size_t kMaxRead = 64 * 1024;       // Beast's read_some reads at most this
constexpr std::size_t kMinRead = 512;             // and at least this
constexpr std::size_t kIdleCapacity = 16 * 1024;  // kept between requests; more is given back

// Framing and routing a request must not leave ambiguous (RFC 9112 6.1, 6.3 and 3.2): a
// transfer coding other than chunked alone would leave its body to be read as the next
// request (smuggling past a proxy that reads it otherwise), and two Host headers or none
// would leave the workspace to guesswork.
std::optional<ProtocolError> check_header(const bhttp::request_header<>& req, bool chunked) {
  const auto [first, last] = req.equal_range(bhttp::field::transfer_encoding);
  if (first != last) {
    if (!chunked) return ProtocolError::kMalformed;  // the length cannot be known
    std::size_t codings = 0;
    for (auto field = first; field != last; ++field) {
      const bhttp::token_list list(field->value());
      codings += static_cast<std::size_t>(std::distance(list.begin(), list.end()));
    }
    if (codings != 1) return ProtocolError::kUnsupportedEncoding;
  }
  const std::size_t hosts = req.count(bhttp::field::host);
  if (hosts > 1 || (hosts == 0 && req.version() >= 11)) return ProtocolError::kBadHost;
  return std::nullopt;
}

// "http://authority/path?query" (absolute form, RFC 9112 3.2.2) → authority and the rest.
bool split_absolute(std::string_view target, std::string_view& authority, std::string_view& rest) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() < scheme.size() ||
        !beast::iequals(beast::string_view(target.data(), scheme.size()),
                        beast::string_view(scheme.data(), scheme.size()))) {
      continue;
    }
    const std::string_view after = target.substr(scheme.size());
    const std::size_t end = std::min(after.find_first_of("/?"), after.size());
    authority = after.substr(0, end);
    rest = after.substr(end);
    return true;
  }
  return false;
}

}  // namespace

struct RequestReader::Impl {
  explicit Impl(ReadLimits l) : limits(l) {}

  ReadLimits limits;
  beast::flat_buffer buffer;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser;
  bool header_seen = false;
  std::vector<hostsdk::Header> headers;
  std::string target;  // an absolute-form target made origin-form
  IncomingRequest in;
};

RequestReader::RequestReader(ReadLimits limits) : impl_(std::make_unique<Impl>(limits)) { start(); }

RequestReader::~RequestReader() = default;

void RequestReader::start() {
  Impl& s = *impl_;
  s.parser.emplace();
  s.parser->header_limit(static_cast<std::uint32_t>(s.limits.header_limit));
  s.parser->body_limit(s.limits.body_limit);
  s.header_seen = false;
  s.headers.clear();
  s.in = {};
  refusal_ = ProtocolError::kMalformed;
}

bool RequestReader::has_buffered() const noexcept { return impl_->buffer.size() > 0; }

void RequestReader::release_idle_memory() {
  if (impl_->buffer.size() == 0 && impl_->buffer.capacity() > kIdleCapacity) {
    impl_->buffer.shrink_to_fit();
  }
}

std::span<char> RequestReader::prepare() {
  beast::flat_buffer& b = impl_->buffer;
  const std::size_t room = b.capacity() - b.size();
  const std::size_t n = std::min(std::max(kMinRead, room), kMaxRead);
  const auto mb = b.prepare(n);
  return {static_cast<char*>(mb.data()), mb.size()};
}

void RequestReader::commit(std::size_t n) noexcept { impl_->buffer.commit(n); }

RequestReader::Step RequestReader::parse() {
  Impl& s = *impl_;
  for (;;) {
    if (s.parser->is_done()) return Step::kReady;
    if (s.buffer.size() == 0) return Step::kNeedMore;
    beast::error_code ec;
    const std::size_t used = s.parser->put(s.buffer.data(), ec);
    s.buffer.consume(used);
    if (ec == bhttp::error::need_more) return Step::kNeedMore;
    if (ec == bhttp::error::body_limit) {
      refusal_ = ProtocolError::kBodyTooLarge;  // also a declared Content-Length, at the head
      return Step::kRefuse;
    }
    if (ec == bhttp::error::header_limit) {
      refusal_ = ProtocolError::kHeadersTooLarge;
      return Step::kRefuse;
    }
    if (ec) {
      refusal_ = ProtocolError::kMalformed;
      return Step::kRefuse;
    }
    if (!s.header_seen && s.parser->is_header_done()) {
      s.header_seen = true;
      if (auto refused = check_header(s.parser->get(), s.parser->chunked())) {
        refusal_ = *refused;
        return Step::kRefuse;
      }
      s.parser->eager(true);  // as http::read does for the body
      if (!s.parser->is_done() &&
          beast::iequals(s.parser->get()[bhttp::field::expect], "100-continue")) {
        return Step::kSendContinue;
      }
      continue;
    }
    // No progress without an error: wait for more bytes rather than spin (the request's
    // deadline still bounds the wait).
    if (used == 0) return Step::kNeedMore;
  }
}

RequestReader::Step RequestReader::end_of_input() {
  Impl& s = *impl_;
  if (s.parser->is_done()) return Step::kReady;
  if (!s.parser->got_some()) return Step::kClose;
  beast::error_code ec;
  s.parser->put_eof(ec);
  if (!ec && s.parser->is_done()) return Step::kReady;
  // A request cut short (a partial head or body): answered 400 to whoever may still read.
  refusal_ = ProtocolError::kMalformed;
  return Step::kRefuse;
}

RequestReader::Step RequestReader::timed_out() noexcept {
  refusal_ = ProtocolError::kTimeout;
  return Step::kRefuse;
}

const IncomingRequest& RequestReader::request(std::string_view client_address) {
  Impl& s = *impl_;
  auto& req = s.parser->get();
  s.headers.clear();
  for (const auto& field : req) {
    s.headers.push_back({view(field.name_string()), view(field.value())});
  }
  s.in.method = view(req.method_string());
  s.in.target = view(req.target());
  s.in.body = req.body();
  s.in.host = view(req[bhttp::field::host]);
  // In absolute form the target's authority names the host, and the Host header is ignored.
  if (std::string_view authority, rest; split_absolute(s.in.target, authority, rest)) {
    s.in.host = authority;
    s.target = rest.empty() || rest.front() != '/' ? "/" + std::string(rest) : std::string(rest);
    s.in.target = s.target;
  }
  s.in.headers = s.headers.data();
  s.in.header_count = s.headers.size();
  s.in.client_address = client_address;
  return s.in;
}

bool RequestReader::keep_alive() const { return impl_->parser->get().keep_alive(); }

unsigned RequestReader::version() const { return impl_->parser->get().version(); }

namespace {

void fill(bhttp::response<bhttp::string_body>& msg, hostsdk::Response& out, bool keep_alive,
          unsigned version) {
  msg = {};
  msg.version(version == 10 ? 10 : 11);
  msg.result(static_cast<unsigned>(out.status));
  msg.set(bhttp::field::server, "rchost");
  msg.set(bhttp::field::content_type, out.content_type);
  for (const auto& [name, value] : out.headers) msg.set(name, value);
  msg.body() = std::move(out.body);
  msg.keep_alive(keep_alive);
  msg.prepare_payload();
}

void serialize(bhttp::response<bhttp::string_body>& msg, std::string& wire) {
  wire.clear();
  bhttp::response_serializer<bhttp::string_body> sr(msg);
  beast::error_code ec;
  do {
    sr.next(ec, [&](beast::error_code& e, const auto& buffers) {
      e = {};
      const std::size_t n = net::buffer_size(buffers);
      const std::size_t at = wire.size();
      wire.resize(at + n);
      net::buffer_copy(net::buffer(wire.data() + at, n), buffers);
      sr.consume(n);
    });
  } while (!ec && !sr.is_done());
}

}  // namespace

FramedResponse frame_response(hostsdk::Response& out, bool keep_alive, unsigned version,
                              std::string& wire) {
  FramedResponse framed;
  bhttp::response<bhttp::string_body> msg;
  try {
    fill(msg, out, keep_alive, version);
  } catch (const std::exception& e) {
    framed.fallback = true;
    framed.error = e.what();
    hostsdk::Response plain = internal_error();
    fill(msg, plain, keep_alive, version);
  }
  framed.fields = static_cast<std::size_t>(std::distance(msg.begin(), msg.end()));
  serialize(msg, wire);
  return framed;
}

}  // namespace host::http
