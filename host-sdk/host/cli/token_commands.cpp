// rchost token list | revoke: a user's login sessions, named by the first characters of
// their stored hash. Storage keeps only base64(SHA-256(token)), so no token can be shown.
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/time_text.h"
#include "services/sessions_service.h"

namespace host::cli {
namespace {

// Characters of the stored hash that list shows; 72 bits tell sessions apart.
constexpr std::size_t kShownPrefix = 12;

std::string shown_prefix(const SessionRecord& s) { return s.token_hash.substr(0, kShownPrefix); }

// The user's sessions, newest first; prints the failure and sets `code` on error.
std::optional<std::vector<SessionRecord>> sessions_of(Services& services,
                                                      const StorageOptions& storage,
                                                      const std::string& username,
                                                      const std::string& what, int& code) {
  if (Status s = require_workspace(services.storage(), storage.workspace); !s.ok()) {
    code = report_failure(what, s);
    return std::nullopt;
  }
  auto user = services.storage().find_user_by_username(storage.workspace, username);
  if (!user.ok()) {
    code = report_failure(what + " " + username, user.status());
    return std::nullopt;
  }
  auto sessions = services.storage().list_sessions(storage.workspace, user->id);
  if (!sessions.ok()) {
    code = report_failure(what + " " + username, sessions.status());
    return std::nullopt;
  }
  return std::move(sessions).value();
}

}  // namespace

int run_token_list(const StorageOptions& storage, const std::string& username, bool json) {
  int code = kExitOk;
  auto services = open_services(storage, nullptr, code);
  if (!services) return code;
  auto sessions = sessions_of(*services, storage, username, "token list", code);
  if (!sessions) return code;
  const std::int64_t now_ms = services->clock().now_ms();
  auto expiration =
      optional_setting(services->settings(), storage.workspace, "Accounts_LoginExpiration");
  if (!expiration.ok()) return report_failure("token list " + username, expiration.status());
  for (auto s : *sessions) {
    s.expires_ms = session_expires_ms(s.created_ms, *expiration);  // as verification reckons it
    const bool expired = s.expires_ms <= now_ms;
    if (json) {
      std::cout << nlohmann::json{{"hash_prefix", shown_prefix(s)},
                                  {"created", iso8601_utc(s.created_ms)},
                                  {"expires", iso8601_utc(s.expires_ms)},
                                  {"expired", expired}}
                       .dump()
                << "\n";
    } else {
      std::cout << shown_prefix(s) << "\t" << iso8601_utc(s.created_ms) << "\t"
                << iso8601_utc(s.expires_ms) << "\t" << (expired ? "expired" : "live") << "\n";
    }
  }
  return kExitOk;
}

int run_token_revoke(const TokenRevokeOptions& o) {
  if (o.all == !o.hash_prefix.empty()) {
    std::cerr << "rchost: token revoke: give either --hash-prefix PREFIX or --all\n";
    return kExitUsage;
  }
  int code = kExitOk;
  auto services = open_services(o.storage, nullptr, code);
  if (!services) return code;
  auto sessions = sessions_of(*services, o.storage, o.username, "token revoke", code);
  if (!sessions) return code;

  std::vector<SessionRecord> chosen;
  if (o.all) {
    chosen = *sessions;
  } else {
    for (const auto& s : *sessions) {
      if (s.token_hash.compare(0, o.hash_prefix.size(), o.hash_prefix) == 0) chosen.push_back(s);
    }
    if (chosen.empty()) {
      std::cerr << "rchost: token revoke " << o.username << ": no session whose hash starts with \""
                << o.hash_prefix << "\" (see: rchost token list " << o.username << ")\n";
      return kExitNotFound;
    }
    if (chosen.size() > 1) {
      std::cerr << "rchost: token revoke " << o.username << ": hash prefix \"" << o.hash_prefix
                << "\" matches " << chosen.size()
                << " sessions; give more characters. Candidates:\n";
      for (const auto& s : chosen) {
        // Enough characters to tell the candidates apart, at least the usual prefix.
        std::cerr << "  "
                  << s.token_hash.substr(0, std::max(kShownPrefix, o.hash_prefix.size() + 4))
                  << "\tcreated " << iso8601_utc(s.created_ms) << "\n";
      }
      return kExitUsage;
    }
  }

  std::size_t revoked = 0;
  for (const auto& s : chosen) {
    Status deleted =
        services->storage().delete_session(o.storage.workspace, s.user_id, s.token_hash);
    // Gone meanwhile (logout, the cap, another revoke): the goal is reached all the same.
    if (!deleted.ok() && deleted.code() != hostsdk::StatusCode::kNotFound) {
      return report_failure("token revoke " + o.username, deleted);
    }
    if (deleted.ok()) ++revoked;
  }
  std::cout << "revoked " << revoked << (revoked == 1 ? " session" : " sessions") << "\n";
  return kExitOk;
}

}  // namespace host::cli
