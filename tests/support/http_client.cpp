// The test client's only Beast translation unit. Every operation is asynchronous on a
// private io_context with a deadline, so a hung server fails a test instead of hanging it.
#include "http_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "secret_record.h"

namespace rct {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string HttpResult::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return {};
}

nlohmann::json HttpResult::json() const { return nlohmann::json::parse(body, nullptr, false); }

struct HttpConnection::Impl {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  std::chrono::milliseconds timeout;
  bool open = false;

  // Runs queued operations to completion (each bounded by the stream's deadline).
  void run() {
    ioc.restart();
    ioc.run();
  }
};

HttpConnection::HttpConnection(unsigned short port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->timeout = timeout;
  beast::error_code result;
  impl_->stream.expires_after(timeout);
  impl_->stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                              [&](beast::error_code ec) { result = ec; });
  impl_->run();
  impl_->open = !result;
}

HttpConnection::~HttpConnection() {
  beast::error_code ec;
  impl_->stream.socket().close(ec);
}

bool HttpConnection::connected() const { return impl_->open; }

HttpResult HttpConnection::request(std::string_view method, std::string_view target,
                                   std::string_view body, const HeaderList& headers) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(beast::string_view(method.data(), method.size()));
  req.target(beast::string_view(target.data(), target.size()));
  req.version(11);
  bool has_host = false, has_type = false;
  for (const auto& [n, v] : headers) {
    has_host = has_host || iequals(n, "Host");
    has_type = has_type || iequals(n, "Content-Type");
    req.insert(n, v);
  }
  if (!has_host) req.set(bhttp::field::host, "localhost");
  if (!has_type && !body.empty()) req.set(bhttp::field::content_type, "application/json");
  req.body() = std::string(body);
  req.prepare_payload();
  record_request_body(body);

  beast::error_code result;
  impl_->stream.expires_after(impl_->timeout);
  bhttp::async_write(impl_->stream, req, [&](beast::error_code ec, std::size_t) { result = ec; });
  impl_->run();
  if (result) {
    HttpResult r;
    r.error = "write: " + result.message();
    return r;
  }
  return read_response();
}

bool HttpConnection::send_raw(std::string_view bytes) {
  beast::error_code result;
  impl_->stream.expires_after(impl_->timeout);
  net::async_write(impl_->stream, net::buffer(bytes.data(), bytes.size()),
                   [&](beast::error_code ec, std::size_t) { result = ec; });
  impl_->run();
  return !result;
}

HttpResult HttpConnection::read_response() {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 << 20);
  beast::error_code result;
  impl_->stream.expires_after(impl_->timeout);
  bhttp::async_read(impl_->stream, impl_->buffer, parser,
                    [&](beast::error_code ec, std::size_t) { result = ec; });
  impl_->run();
  HttpResult r;
  if (result) {
    r.error = "read: " + result.message();
    return r;
  }
  auto& res = parser.get();
  r.status = static_cast<int>(res.result_int());
  r.body = res.body();
  for (const auto& f : res) {
    r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  }
  record_response(r.status, r.body);
  return r;
}

bool HttpConnection::closed_by_peer() {
  if (impl_->buffer.size() > 0) impl_->buffer.consume(impl_->buffer.size());
  std::array<char, 1024> scratch;
  beast::error_code result;
  for (;;) {
    impl_->stream.expires_after(impl_->timeout);
    std::size_t got = 0;
    impl_->stream.async_read_some(net::buffer(scratch), [&](beast::error_code ec, std::size_t n) {
      result = ec;
      got = n;
    });
    impl_->run();
    if (result) return result != beast::error::timeout;
    (void)got;  // data after the response: keep reading until EOF
  }
}

HttpResult http_request(unsigned short port, std::string_view method, std::string_view target,
                        std::string_view body, const HeaderList& headers) {
  HttpConnection c(port);
  if (!c.connected()) {
    HttpResult r;
    r.error = "connect failed";
    return r;
  }
  return c.request(method, target, body, headers);
}

HttpResult send_raw(unsigned short port, std::string_view bytes) {
  HttpConnection c(port);
  if (!c.connected() || !c.send_raw(bytes)) {
    HttpResult r;
    r.error = "connect or write failed";
    return r;
  }
  return c.read_response();
}

}  // namespace rct
