// Small builders and printers shared by the storage and services tests: records with
// sensible defaults, and readable StatusCode values in doctest failure messages.
#pragma once

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "storage/storage.h"

namespace doctest {
template <>
struct StringMaker<hostsdk::StatusCode> {
  static String convert(hostsdk::StatusCode code) {
    switch (code) {
      case hostsdk::StatusCode::kOk:
        return "kOk";
      case hostsdk::StatusCode::kNotFound:
        return "kNotFound";
      case hostsdk::StatusCode::kInvalidArgument:
        return "kInvalidArgument";
      case hostsdk::StatusCode::kPermissionDenied:
        return "kPermissionDenied";
      case hostsdk::StatusCode::kConflict:
        return "kConflict";
      case hostsdk::StatusCode::kUnavailable:
        return "kUnavailable";
      case hostsdk::StatusCode::kInternal:
        return "kInternal";
    }
    return "unknown";
  }
};
}  // namespace doctest

namespace rct_test {

using hostsdk::StatusCode;

inline host::UserRecord make_user(const std::string& ws, const std::string& id,
                                  const std::string& username,
                                  std::vector<std::string> roles = {"user"}) {
  host::UserRecord user;
  user.workspace = ws;
  user.id = id;
  user.username = username;
  user.name = username + " name";
  user.password_hash = "$argon2id$not-a-real-hash";
  user.active = true;
  user.roles = std::move(roles);
  user.created_ms = 1000;
  return user;
}

// token_hash need only be unique per user here; the services suite checks real hashes.
inline host::SessionRecord make_session(const std::string& ws, const std::string& user_id,
                                        const std::string& token_hash, std::int64_t created_ms) {
  host::SessionRecord session;
  session.workspace = ws;
  session.user_id = user_id;
  session.token_hash = token_hash;
  session.created_ms = created_ms;
  session.expires_ms = created_ms + 90LL * 24 * 3600 * 1000;
  return session;
}

}  // namespace rct_test
