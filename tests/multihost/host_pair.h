// Two rchost processes serving one PostgreSQL database on their own loopback ports, users and
// settings written with the CLI against that database, and the HTTP calls the tests make.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "host_process.h"
#include "http_client.h"

namespace rct_multihost {

using Env = std::vector<std::pair<std::string, std::string>>;

struct Account {
  std::string id;
  std::string token;
};

// `rchost ARGS --storage URL`: a CLI command against the shared database.
rct::CommandResult cli(const std::string& url, std::vector<std::string> args);
// Adds a user (roles comma-separated); the new id. Throws with the CLI's stderr on failure.
std::string add_user(const std::string& url, const std::string& username,
                     const std::string& password, const std::string& roles);
// Stores a setting of the default workspace. Throws on failure.
void set_setting(const std::string& url, const std::string& name, const std::string& value);

class HostPair {
 public:
  // Both serve `url` with `env` added to their environment; not started yet.
  HostPair(const std::string& url, const Env& env, unsigned threads = 4);
  void start();  // both; throws with a host's log when it does not come up
  rct::HostProcess& host(std::size_t i) { return *hosts_.at(i); }
  unsigned short port(std::size_t i) const { return hosts_.at(i)->port(); }
  std::size_t size() const { return hosts_.size(); }

 private:
  std::vector<std::unique_ptr<rct::HostProcess>> hosts_;
};

// One request on a fresh connection that gives up after `timeout` (status 0 then).
rct::HttpResult call(unsigned short port, const std::string& method, const std::string& target,
                     const std::string& body = {}, const rct::HeaderList& headers = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(5));
rct::HeaderList auth(const Account& account);

// POST /api/v1/login; throws when it does not answer 200 with a token.
Account login(unsigned short port, const std::string& username, const std::string& password);
// POST /api/v1/users.createToken for `username`, as `caller`.
rct::HttpResult create_token(unsigned short port, const Account& caller,
                             const std::string& username,
                             std::chrono::milliseconds timeout = std::chrono::seconds(5));
// The account of a 200 createToken answer (empty when it is not one).
Account minted(const rct::HttpResult& result);

}  // namespace rct_multihost
