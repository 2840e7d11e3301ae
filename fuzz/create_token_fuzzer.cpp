// libFuzzer target: users.createToken on the mock host with fuzzed body, header, caller,
// settings and injected outages, checked against the spec's invariants (create_token_scenario.h).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "create_token/create_token_plugin.h"
#include "create_token_scenario.h"
#include "fuzz_check.h"
#include "hostsdk/mock/mock_host.h"
#include "protected_roles.h"

namespace rct_fuzz {
namespace {

using hostsdk::mock::MockHost;
using hostsdk::mock::MockService;
using Json = nlohmann::json;

constexpr const char* kWorkspace = "default";
constexpr const char* kRoute = "/api/v1/users.createToken";
const char* const kSettings[] = {"CREATE_TOKENS_FOR_USERS", "CREATE_TOKENS_FOR_USERS_SECRET",
                                 "protectedRoles"};

struct FixtureUser {
  const char* name;
  const char* workspace;
  std::vector<std::string> roles;
  bool active;
};
const FixtureUser kUsers[] = {
    {"admin", kWorkspace, {"admin"}, true}, {"alice", kWorkspace, {"user"}, true},
    {"bob", kWorkspace, {"user"}, true},    {"carol", kWorkspace, {"user"}, false},
    {"ops", kWorkspace, {"admin"}, true},   {"dave", "other", {"admin"}, true}};

// Exact bodies from the spec (§2, §5) for the error types that have one.
const std::map<std::string, std::string> kExactBodies = {
    {"error-not-authorized",
     R"({"success":false,"error":"Not authorized [error-not-authorized]","errorType":"error-not-authorized","details":{"method":"createToken"}})"},
    {"error-user-param-not-provided",
     R"({"success":false,"error":"The required \"userId\" or \"username\" param was not provided [error-user-param-not-provided]","errorType":"error-user-param-not-provided"})"},
    {"error-invalid-user",
     R"({"success":false,"error":"The required \"userId\" or \"username\" param provided does not match any users [error-invalid-user]","errorType":"error-invalid-user"})"},
    {"error-user-is-not-activated",
     R"({"success":false,"error":"User is not activated [error-user-is-not-activated]","errorType":"error-user-is-not-activated"})"},
};

// One mock host with the plugin started, shared by every input (state is reset per input;
// sessions stay bounded by the per-user cap).
struct World {
  MockHost host;
  create_token::CreateTokenPlugin plugin;
  std::map<std::string, std::string> ids;           // username -> id
  std::map<std::string, const FixtureUser*> by_id;  // id -> user

  World() {
    for (const auto& u : kUsers) {
      ids[u.name] = host.add_user(u.workspace, u.name, u.roles, u.active);
      by_id[ids[u.name]] = &u;
    }
    if (!plugin.start(host).ok()) std::abort();
  }
};

World& world() {
  static World* w = new World();  // never destroyed: libFuzzer may exit from any thread
  return *w;
}

std::string expand_ids(std::string text, const World& w) {
  for (const auto& [name, id] : w.ids) {
    const std::string marker = "@" + name;
    for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at)) {
      text.replace(at, marker.size(), id);
      at += id.size();
    }
  }
  return text;
}

bool is_token(const std::string& t) {
  return t.size() == 43 && std::all_of(t.begin(), t.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

// Settings and switches as the scenario asks, everything else back to its default.
void configure(MockHost& host, const Scenario& s) {
  host.set_storage_unavailable(false);
  host.set_routes_enabled(kWorkspace, !s.routes_disabled);
  for (const char* name : kSettings) {
    host.clear_setting(kWorkspace, name);
    host.unset_env(name);
  }
  const auto set = [&](const char* name, const std::string& value) {
    if (s.from_environment) {
      host.set_env(name, value);
    } else {
      host.set_setting(kWorkspace, name, value);
    }
  };
  static const char* const kGateValues[] = {nullptr, nullptr, "true", "yes"};
  if (s.gate == GateMode::kText) set(kSettings[0], s.gate_text);
  if (kGateValues[static_cast<int>(s.gate)])
    set(kSettings[0], kGateValues[static_cast<int>(s.gate)]);
  if (s.secret == SecretMode::kText) set(kSettings[1], s.secret_text);
  if (s.secret == SecretMode::kFixed) set(kSettings[1], kFixedSecret);
  if (s.secret == SecretMode::kEmpty) set(kSettings[1], "");
  if (s.roles == RolesMode::kText) set(kSettings[2], s.roles_text);
  if (s.roles == RolesMode::kAdminJson) set(kSettings[2], R"(["admin"])");
  if (s.roles == RolesMode::kCommaList) set(kSettings[2], "admin, user");
}

std::string configured_secret(const Scenario& s) {
  if (s.secret == SecretMode::kFixed) return kFixedSecret;
  return s.secret == SecretMode::kText ? s.secret_text : std::string();
}

bool gate_switch_open(const Scenario& s) {
  if (s.gate == GateMode::kTrue || s.gate == GateMode::kYes) return true;
  return s.gate == GateMode::kText && (s.gate_text == "true" || s.gate_text == "yes");
}

std::set<std::string> protected_set(const Scenario& s) {
  switch (s.roles) {
    case RolesMode::kAdminJson:
      return {"admin"};
    case RolesMode::kCommaList:
      return {"admin", "user"};
    case RolesMode::kText: {
      const auto roles = create_token::parse_protected_roles(s.roles_text);
      return {roles.begin(), roles.end()};
    }
    case RolesMode::kUnset:
      break;
  }
  return {};
}

// The caller the request carries; empty id when it is not a live user of the workspace.
struct Call {
  hostsdk::mock::MockRequest request;
  std::string caller_id;
};

Call build_call(World& w, const Scenario& s) {
  Call call;
  auto& r = call.request;
  r.path = kRoute;
  r.workspace = kWorkspace;
  r.body = expand_ids(s.body, w);
  const auto with_token = [&](const std::string& id, const std::string& token) {
    r.headers = {{"X-User-Id", id}, {"X-Auth-Token", token}};
  };
  switch (s.caller) {
    case CallerMode::kTrustedAdmin:
    case CallerMode::kTrustedAlice:
      call.caller_id = w.ids[s.caller == CallerMode::kTrustedAdmin ? "admin" : "alice"];
      r.caller_id = call.caller_id;
      break;
    case CallerMode::kTrustedCarol:
      r.caller_id = w.ids["carol"];
      break;
    case CallerMode::kTrustedStranger:
      r.caller_id = w.ids["dave"];
      break;
    case CallerMode::kTokenAdmin:
    case CallerMode::kTokenAlice: {
      const auto& id = w.ids[s.caller == CallerMode::kTokenAdmin ? "admin" : "alice"];
      auto token = w.host.sessions().issue(kWorkspace, id);
      FUZZ_CHECK(token.ok(), "issue failed: " + token.status().message());
      with_token(id, token.value());
      call.caller_id = id;
      break;
    }
    case CallerMode::kFuzzedToken:
      with_token(w.ids["admin"], s.header_value);
      if (w.host.sessions().verify(kWorkspace, w.ids["admin"], s.header_value).ok())
        call.caller_id = w.ids["admin"];
      break;
    case CallerMode::kNone:
      break;
  }
  if (s.caller != CallerMode::kFuzzedToken) r.headers.emplace_back("Content-Type", s.header_value);
  return call;
}

void check_success(World& w, const Scenario& s, const Call& call, const Json& doc) {
  FUZZ_CHECK(doc.size() == 2 && doc.contains("data") && doc["data"].is_object(), doc.dump());
  const Json& data = doc["data"];
  FUZZ_CHECK(data.size() == 2 && data.value("userId", Json()).is_string() &&
                 data.value("authToken", Json()).is_string(),
             doc.dump());
  const std::string target = data["userId"];
  const std::string token = data["authToken"];
  FUZZ_CHECK(is_token(token), token);
  const auto user = w.by_id.find(target);
  FUZZ_CHECK(user != w.by_id.end(), "minted for an unknown id " + target);
  FUZZ_CHECK(user->second->active && std::string(user->second->workspace) == kWorkspace,
             "minted for an inactive or foreign user");
  FUZZ_CHECK(w.host.sessions().verify(kWorkspace, target, token).ok(), "token does not verify");

  // 200 only through an open gate (spec §3).
  const std::string secret = configured_secret(s);
  if (!secret.empty()) {
    const Json body = Json::parse(call.request.body, nullptr, false);
    FUZZ_CHECK(body.is_object() && body.value("secret", Json()) == Json(secret),
               "200 without the configured secret");
  } else {
    FUZZ_CHECK(gate_switch_open(s), "200 with the gate closed");
  }
  // Someone else: only with the permission, and never a protected target (spec §2).
  if (target != call.caller_id) {
    const auto& roles = w.by_id[call.caller_id]->roles;
    FUZZ_CHECK(std::find(roles.begin(), roles.end(), "admin") != roles.end(),
               "minted for someone else without the permission");
    const auto guarded = protected_set(s);
    for (const auto& role : user->second->roles)
      FUZZ_CHECK(guarded.count(role) == 0, "minted for a protected target (" + role + ")");
  }
  FUZZ_CHECK(w.host.log_text().find(token) == std::string::npos, "token in the log");
  for (const auto& e : w.host.audit_events()) {
    FUZZ_CHECK(e.outcome == "issued" && e.target_id == target, "audit: " + e.outcome);
    for (const auto* f : {&e.caller_id, &e.target_id, &e.reason, &e.client_address})
      FUZZ_CHECK(f->find(token) == std::string::npos, "token in the audit trail");
  }
}

void check_error(const Scenario& s, const Call& call, const Json& doc, const std::string& body,
                 int status, World& w) {
  if (status == 503) {
    FUZZ_CHECK(s.failures != 0, "503 without an injected outage");
    return;
  }
  const auto type = doc.value("errorType", Json());
  const auto error = doc.value("error", Json());
  FUZZ_CHECK(type.is_string() && error.is_string(), body);
  const std::string t = type;
  const auto exact = kExactBodies.find(t);
  if (exact != kExactBodies.end()) {
    FUZZ_CHECK(body == exact->second, body);
  } else {
    FUZZ_CHECK(t == "error-invalid-params", "unexpected errorType " + t);
    const std::string e = error;
    FUZZ_CHECK(e.size() > 23 && e.compare(e.size() - 23, 23, " [error-invalid-params]") == 0, e);
  }
  // An unprivileged caller cannot tell existing users from unknown ones (spec §2 step 5).
  if (call.caller_id == w.ids["alice"]) {
    FUZZ_CHECK(t != "error-invalid-user" && t != "error-user-is-not-activated",
               "unprivileged caller learned " + t);
  }
}

// Hashes of every stored session in the workspace: a refusal or an outage leaves no token.
std::set<std::string> stored_sessions(World& w) {
  std::set<std::string> all;
  for (const auto& [name, id] : w.ids) {
    for (auto& h : w.host.stored_token_hashes(kWorkspace, id)) all.insert(std::move(h));
  }
  return all;
}

void check(World& w, const Scenario& s, const Call& call, const hostsdk::Response& r,
           const std::set<std::string>& sessions_before) {
  std::size_t minted = 0;
  for (const auto& h : stored_sessions(w)) minted += sessions_before.count(h) == 0;
  FUZZ_CHECK(minted == (r.status == 200 ? 1u : 0u), std::to_string(minted) + " new sessions");
  const auto detail = std::to_string(r.status) + " " + r.body;
  if (s.routes_disabled) {
    FUZZ_CHECK(r.status == 404 && r.body == MockHost::not_found_body(), detail);
    return;
  }
  if (call.caller_id.empty()) {
    FUZZ_CHECK(r.status == 401 && r.body == MockHost::not_logged_in_body(), detail);
    FUZZ_CHECK(w.host.audit_events().empty(), "audit before authentication");
    return;
  }
  FUZZ_CHECK(r.status == 200 || r.status == 400 || r.status == 503, detail);
  FUZZ_CHECK(r.content_type == "application/json", r.content_type);
  const Json doc = Json::parse(r.body, nullptr, false);
  FUZZ_CHECK(doc.is_object() && doc.value("success", Json()).is_boolean(), detail);
  FUZZ_CHECK(doc["success"].get<bool>() == (r.status == 200), detail);

  // One audit event per authenticated attempt; without the audit trail, nothing but 503.
  const bool audit_down = (s.failures >> static_cast<unsigned>(MockService::kAudit)) & 1u;
  const auto events = w.host.audit_events();
  if (audit_down) {
    FUZZ_CHECK(r.status == 503 && events.empty(), detail);
  } else {
    FUZZ_CHECK(events.size() == 1, std::to_string(events.size()) + " audit events; " + detail);
    FUZZ_CHECK(events[0].caller_id == call.caller_id && events[0].action == "users.createToken",
               events[0].caller_id);
    FUZZ_CHECK((events[0].outcome == "issued") == (r.status == 200), events[0].outcome);
  }
  if (s.secret == SecretMode::kFixed) {
    FUZZ_CHECK(w.host.log_text().find(kFixedSecret) == std::string::npos, "secret in the log");
  }
  if (r.status == 200) return check_success(w, s, call, doc);
  check_error(s, call, doc, r.body, r.status, w);
}

}  // namespace
}  // namespace rct_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rct_fuzz;
  World& w = world();
  const Scenario s = decode_scenario(data, size);
  configure(w.host, s);
  const Call call = build_call(w, s);
  w.host.clear_records();
  const auto sessions_before = stored_sessions(w);
  for (unsigned i = 0; i < kServiceCount; ++i) {
    if ((s.failures >> i) & 1u) w.host.set_unavailable(static_cast<MockService>(i), true);
  }
  const hostsdk::Response response = w.host.dispatch(call.request);
  w.host.set_storage_unavailable(false);  // the checks below use the services
  static const bool verbose = std::getenv("RCT_FUZZ_VERBOSE") != nullptr;  // when reproducing
  if (verbose) std::fprintf(stderr, "%d %s\n", response.status, response.body.c_str());
  check(w, s, call, response, sessions_before);
  return 0;
}
