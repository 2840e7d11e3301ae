// What a plugin route handler sees of an HTTP request and what it writes back.
// Views are valid only for the duration of the handler call.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hostsdk {

struct Header {
  std::string_view name;
  std::string_view value;
};

// The authenticated caller; the host fills it before calling a route that requires auth.
struct Caller {
  std::string_view user_id;
  std::string_view username;
  const std::vector<std::string>* roles = nullptr;
};

struct Request {
  std::string_view method;
  std::string_view path;  // without the query string
  std::string_view body;
  std::string_view workspace;       // workspace id the request belongs to
  std::string_view client_address;  // textual IP of the peer
  std::string_view request_id;
  const Header* headers = nullptr;
  std::size_t header_count = 0;
  const Caller* caller = nullptr;  // the authenticated caller; null only on routes without auth

  // Case-insensitive header lookup; empty view when absent.
  std::string_view header(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < header_count; ++i) {
      const auto& h = headers[i];
      if (h.name.size() != name.size()) continue;
      bool same = true;
      for (std::size_t k = 0; k < name.size() && same; ++k) {
        char a = h.name[k], b = name[k];
        if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
        same = a == b;
      }
      if (same) return h.value;
    }
    return {};
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace hostsdk
