// The shared test fixture: users as the conformance cases describe them, plus "dave" in a
// second workspace to show that nothing crosses workspaces.
#include "plugin_fixture.h"

#include <stdexcept>

namespace unit {

PluginFixture::PluginFixture() {
  const std::vector<std::pair<std::string, std::vector<std::string>>> users = {{"admin", {"admin"}},
                                                                               {"alice", {"user"}},
                                                                               {"bob", {"user"}},
                                                                               {"carol", {"user"}},
                                                                               {"ops", {"admin"}}};
  for (const auto& [name, roles] : users) {
    ids_[name] = host_.add_user(kWorkspace, name, roles, name != "carol");
  }
  ids_["dave"] = host_.add_user(kOtherWorkspace, "dave", {"admin"});
  const auto status = plugin_.start(host_);
  if (!status.ok()) throw std::runtime_error("plugin start failed: " + status.message());
  host_.clear_records();  // tests look only at what their own requests leave behind
}

PluginFixture::~PluginFixture() { plugin_.stop(); }

const std::string& PluginFixture::id(std::string_view username) const {
  auto it = ids_.find(username);
  if (it == ids_.end()) throw std::invalid_argument("no fixture user " + std::string(username));
  return it->second;
}

std::string PluginFixture::expand_ids(std::string text) const {
  for (const auto& [name, user_id] : ids_) {
    const std::string marker = "@" + name;
    for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at)) {
      text.replace(at, marker.size(), user_id);
      at += user_id.size();
    }
  }
  return text;
}

hostsdk::Response PluginFixture::post(std::optional<std::string_view> caller,
                                      std::string_view body) {
  hostsdk::mock::MockRequest request;
  request.path = std::string(kRoute);
  request.workspace = std::string(kWorkspace);
  if (caller) request.caller_id = id(*caller);
  request.body = std::string(body);
  request.headers = {{"Content-Type", "application/json"}};
  // Without a trusted caller the mock falls back to header authentication: none here.
  return host_.dispatch(request);
}

hostsdk::Response PluginFixture::post_with_token(std::string_view user_id, std::string_view token,
                                                 std::string_view body) {
  hostsdk::mock::MockRequest request;
  request.path = std::string(kRoute);
  request.workspace = std::string(kWorkspace);
  request.body = std::string(body);
  request.headers = {{"x-user-id", std::string(user_id)},
                     {"X-AUTH-TOKEN", std::string(token)},
                     {"Content-Type", "application/json"}};
  return host_.dispatch(request);
}

bool is_base64url_token(std::string_view token) {
  if (token.size() != 43) return false;
  for (char c : token) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace unit
