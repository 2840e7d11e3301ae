// What a test asks the mock host to serve: the parts of an HTTP request a host sees
// before it runs a plugin's route handler.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hostsdk::mock {

struct MockRequest {
  std::string method = "POST";
  std::string path;
  std::string workspace = "default";
  // Trusted caller id (must be an active user of the workspace). When unset, the caller is
  // authenticated from the X-User-Id / X-Auth-Token headers, as a real host does.
  std::optional<std::string> caller_id;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string client_address = "127.0.0.1";
};

}  // namespace hostsdk::mock
