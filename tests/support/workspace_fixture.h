// The conformance fixture over the real host: a workspace with users admin [admin],
// alice, bob, carol (deactivated) [user] and ops [admin], created with the rchost CLI.
#pragma once

#include <map>
#include <string>

#include "host_process.h"
#include "http_client.h"

namespace rct {

struct SeededWorkspace {
  std::string name;
  std::string host;                        // Host header that selects it
  std::map<std::string, std::string> ids;  // username → user id
};

struct Credentials {
  std::string user_id;
  std::string token;
};

std::string password_for(const std::string& username);

// Creates workspace `name` mapped to host "<name>.test" (the default workspace is used as
// is, with host "localhost") and the five fixture users. Throws with the CLI's stderr.
SeededWorkspace seed_workspace(const HostProcess& host, const std::string& name);

// Stores a workspace setting through `rchost setting set`. Throws on failure.
void set_setting(const HostProcess& host, const std::string& workspace, const std::string& name,
                 const std::string& value);

// POST /api/v1/login; user_id empty when login failed.
Credentials login(unsigned short port, const std::string& host_header, const std::string& username);

HeaderList auth_headers(const std::string& host_header, const Credentials& credentials);

}  // namespace rct
