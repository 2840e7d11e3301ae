// HostPair and the calls of the multi-host tests: hosts get `--storage URL`, the CLI gets the
// same URL, so every process sees one database.
#include "host_pair.h"

#include <stdexcept>

namespace rct_multihost {

rct::CommandResult cli(const std::string& url, std::vector<std::string> args) {
  args.push_back("--storage");
  args.push_back(url);
  return rct::run_rchost(args);
}

std::string add_user(const std::string& url, const std::string& username,
                     const std::string& password, const std::string& roles) {
  auto r =
      cli(url, {"user", "add", "--username", username, "--password", password, "--roles", roles});
  if (r.exit_code != 0) throw std::runtime_error("user add " + username + ": " + r.err);
  std::string id = r.out;
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  return id;
}

void set_setting(const std::string& url, const std::string& name, const std::string& value) {
  auto r = cli(url, {"setting", "set", name, value});
  if (r.exit_code != 0) throw std::runtime_error("setting set " + name + ": " + r.err);
}

HostPair::HostPair(const std::string& url, const Env& env, unsigned threads) {
  for (int i = 0; i < 2; ++i) {
    rct::HostOptions options;
    options.threads = threads;
    options.extra_args = {"--storage", url};
    options.environment = env;
    hosts_.push_back(std::make_unique<rct::HostProcess>(options));
  }
}

void HostPair::start() {
  for (auto& host : hosts_) host->start();
}

rct::HttpResult call(unsigned short port, const std::string& method, const std::string& target,
                     const std::string& body, const rct::HeaderList& headers,
                     std::chrono::milliseconds timeout) {
  rct::HttpConnection connection(port, timeout);
  if (!connection.connected()) {
    rct::HttpResult r;
    r.error = "connect failed";
    return r;
  }
  return connection.request(method, target, body, headers);
}

rct::HeaderList auth(const Account& account) {
  return {{"X-User-Id", account.id}, {"X-Auth-Token", account.token}};
}

Account login(unsigned short port, const std::string& username, const std::string& password) {
  nlohmann::json body = {{"user", username}, {"password", password}};
  auto r = call(port, "POST", "/api/v1/login", body.dump());
  auto json = r.json();
  if (r.status != 200 || !json.is_object() || !json.contains("data")) {
    throw std::runtime_error("login " + username + " answered " + std::to_string(r.status) + " " +
                             r.error);
  }
  return {json["data"].value("userId", ""), json["data"].value("authToken", "")};
}

rct::HttpResult create_token(unsigned short port, const Account& caller,
                             const std::string& username, std::chrono::milliseconds timeout) {
  nlohmann::json body = {{"username", username}};
  return call(port, "POST", "/api/v1/users.createToken", body.dump(), auth(caller), timeout);
}

Account minted(const rct::HttpResult& result) {
  if (result.status != 200) return {};
  auto json = result.json();
  if (!json.is_object() || !json.contains("data") || !json["data"].is_object()) return {};
  return {json["data"].value("userId", ""), json["data"].value("authToken", "")};
}

}  // namespace rct_multihost
