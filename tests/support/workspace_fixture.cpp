// Seeds fixture workspaces through the CLI (the same path an operator uses) and logs
// fixture users in over HTTP.
#include "workspace_fixture.h"

#include <stdexcept>

namespace rct {
namespace {

void require_ok(const CommandResult& r, const std::string& what) {
  if (r.exit_code != 0) {
    throw std::runtime_error(what + " failed (exit " + std::to_string(r.exit_code) + "): " + r.err);
  }
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string password_for(const std::string& username) { return "pw-" + username + "-9f2"; }

SeededWorkspace seed_workspace(const HostProcess& host, const std::string& name) {
  SeededWorkspace ws;
  ws.name = name;
  if (name == "default") {
    ws.host = "localhost";
  } else {
    ws.host = name + ".test";
    require_ok(host.cli({"workspace", "add", name, "--host", ws.host}), "workspace add " + name);
  }
  struct Seed {
    const char* username;
    const char* roles;
  };
  for (Seed s : {Seed{"admin", "admin"}, Seed{"alice", "user"}, Seed{"bob", "user"},
                 Seed{"carol", "user"}, Seed{"ops", "admin"}}) {
    auto r = host.cli({"user", "add", "--workspace", name, "--username", s.username, "--password",
                       password_for(s.username), "--roles", s.roles});
    require_ok(r, std::string("user add ") + s.username);
    ws.ids[s.username] = trim(r.out);
  }
  require_ok(host.cli({"user", "deactivate", "--workspace", name, "carol"}), "deactivate carol");
  return ws;
}

void set_setting(const HostProcess& host, const std::string& workspace, const std::string& name,
                 const std::string& value) {
  require_ok(host.cli({"setting", "set", "--workspace", workspace, name, value}),
             "setting set " + name);
}

Credentials login(unsigned short port, const std::string& host_header,
                  const std::string& username) {
  nlohmann::json body = {{"user", username}, {"password", password_for(username)}};
  HttpResult r = http_request(port, "POST", "/api/v1/login", body.dump(), {{"Host", host_header}});
  Credentials c;
  nlohmann::json j = r.json();
  if (r.status == 200 && j.is_object() && j.contains("data")) {
    c.user_id = j["data"].value("userId", "");
    c.token = j["data"].value("authToken", "");
  }
  return c;
}

HeaderList auth_headers(const std::string& host_header, const Credentials& credentials) {
  return {{"Host", host_header},
          {"X-User-Id", credentials.user_id},
          {"X-Auth-Token", credentials.token}};
}

}  // namespace rct
