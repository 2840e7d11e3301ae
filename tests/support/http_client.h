// A small synchronous HTTP/1.1 client for tests: one request per call on a fresh
// connection, or a kept-alive HttpConnection; raw bytes for protocol tests.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace rct {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
  int status = 0;  // 0: no response (closed, reset or timed out); see `error`
  std::string body;
  HeaderList headers;
  std::string error;

  // Case-insensitive; empty when absent.
  std::string header(std::string_view name) const;
  // Parsed body; a discarded value when the body is not JSON.
  nlohmann::json json() const;
};

class HttpConnection {
 public:
  explicit HttpConnection(unsigned short port,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool connected() const;
  // Adds Host (unless given) and, with a body, Content-Type: application/json.
  HttpResult request(std::string_view method, std::string_view target, std::string_view body = {},
                     const HeaderList& headers = {});
  // Writes bytes as they are; then read_response() reads what comes back.
  bool send_raw(std::string_view bytes);
  HttpResult read_response();
  // True when the server closes the connection within the timeout.
  bool closed_by_peer();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

HttpResult http_request(unsigned short port, std::string_view method, std::string_view target,
                        std::string_view body = {}, const HeaderList& headers = {});
// Sends raw bytes on a fresh connection and reads one response.
HttpResult send_raw(unsigned short port, std::string_view bytes);

}  // namespace rct
