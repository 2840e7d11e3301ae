// rchost user add | activate | deactivate | list | set-roles | set-password.
// add prints only the new user's id on stdout, so scripts can capture it.
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "services/crypto.h"

namespace host::cli {
namespace {

// The limits services/accounts.cpp applies when a user is added.
constexpr std::size_t kMaxPasswordLength = 1024;
constexpr std::size_t kMaxRoleLength = 64;

bool printable(const std::string& text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

int usage(const std::string& message) {
  std::cerr << "rchost: " << message << "\n";
  return kExitUsage;
}

// The first line of `in`, without its line ending.
std::string first_line(std::istream& in) {
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// From a terminal: asks twice without echo; nullopt when the two differ.
std::optional<std::string> prompt_password(const std::string& username) {
  termios saved{};
  bool restore = tcgetattr(STDIN_FILENO, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::cerr << "New password for " << username << ": " << std::flush;
  std::string first = first_line(std::cin);
  std::cerr << "\nRepeat it: " << std::flush;
  std::string second = first_line(std::cin);
  std::cerr << "\n";
  if (restore) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  if (first != second) return std::nullopt;
  return first;
}

}  // namespace

int run_user_add(const UserAddOptions& o) {
  int code = kExitOk;
  auto services = open_services(o.storage, nullptr, code);
  if (!services) return code;
  if (Status s = require_workspace(services->storage(), o.storage.workspace); !s.ok()) {
    return report_failure("user add", s);
  }
  std::string name = o.name.empty() ? o.username : o.name;
  auto id = services->add_user(o.storage.workspace, o.username, name, o.password, o.roles);
  if (!id.ok()) return report_failure("user add " + o.username, id.status());
  std::cout << id.value() << "\n";
  return kExitOk;
}

int run_user_set_active(const StorageOptions& storage, const std::string& username, bool active) {
  int code = kExitOk;
  auto services = open_services(storage, nullptr, code);
  if (!services) return code;
  auto user = services->storage().find_user_by_username(storage.workspace, username);
  if (!user.ok()) return report_failure("user " + username, user.status());
  Status s = services->storage().set_user_active(storage.workspace, user->id, active);
  if (!s.ok()) return report_failure("user " + username, s);
  return kExitOk;
}

int run_user_list(const StorageOptions& storage, bool json) {
  int code = kExitOk;
  auto services = open_services(storage, nullptr, code);
  if (!services) return code;
  auto users = services->storage().list_users(storage.workspace);
  if (!users.ok()) return report_failure("user list", users.status());
  for (const auto& u : users.value()) {
    if (json) {
      std::cout << nlohmann::json{{"_id", u.id},
                                  {"username", u.username},
                                  {"name", u.name},
                                  {"active", u.active},
                                  {"roles", u.roles}}
                       .dump()
                << "\n";
    } else {
      std::string roles;
      for (const auto& r : u.roles) roles += (roles.empty() ? "" : ",") + r;
      std::cout << u.id << "\t" << u.username << "\t" << (u.active ? "active" : "inactive") << "\t"
                << roles << "\n";
    }
  }
  return kExitOk;
}

int run_user_set_roles(const StorageOptions& storage, const std::string& username,
                       const std::vector<std::string>& roles) {
  for (const auto& role : roles) {
    if (role.empty() || role.size() > kMaxRoleLength || !printable(role)) {
      return usage("user set-roles: role names must be 1 to 64 printable characters");
    }
  }
  int code = kExitOk;
  auto services = open_services(storage, nullptr, code);
  if (!services) return code;
  if (Status s = require_workspace(services->storage(), storage.workspace); !s.ok()) {
    return report_failure("user set-roles", s);
  }
  auto user = services->storage().find_user_by_username(storage.workspace, username);
  if (!user.ok()) return report_failure("user set-roles " + username, user.status());
  Status s = services->storage().set_user_roles(storage.workspace, user->id, roles);
  if (!s.ok()) return report_failure("user set-roles " + username, s);
  return kExitOk;
}

int run_user_set_password(const UserSetPasswordOptions& o) {
  std::string password;
  if (o.password) {
    password = *o.password;
  } else if (!o.password_file.empty() && o.password_file != "-") {
    std::ifstream in(o.password_file, std::ios::binary);
    if (!in) {
      return usage("user set-password: cannot read --password-file " + o.password_file + ": " +
                   std::strerror(errno));
    }
    password = first_line(in);
  } else if (o.password_file.empty() && isatty(STDIN_FILENO) == 1) {
    auto typed = prompt_password(o.username);
    if (!typed) return usage("user set-password: the two passwords differ");
    password = *typed;
  } else {
    password = first_line(std::cin);
  }
  if (password.empty()) return usage("user set-password: the password is empty");
  if (password.size() > kMaxPasswordLength) {
    return usage("user set-password: the password is longer than 1024 bytes");
  }

  int code = kExitOk;
  auto services = open_services(o.storage, nullptr, code);
  if (!services) return code;
  if (Status s = require_workspace(services->storage(), o.storage.workspace); !s.ok()) {
    return report_failure("user set-password", s);
  }
  auto user = services->storage().find_user_by_username(o.storage.workspace, o.username);
  if (!user.ok()) return report_failure("user set-password " + o.username, user.status());
  auto hash = crypto::hash_password(password);
  if (!hash.ok()) return report_failure("user set-password " + o.username, hash.status());
  Status s = services->storage().set_user_password_hash(o.storage.workspace, user->id, *hash);
  if (!s.ok()) return report_failure("user set-password " + o.username, s);
  return kExitOk;
}

}  // namespace host::cli
