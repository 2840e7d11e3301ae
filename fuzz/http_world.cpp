// Setting up the fuzzed host: the same steps as `rchost serve` and its plugin loader, minus
// the shared library (the plugin's code is linked in statically to be instrumented).
#include "http_world.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "fuzz_check.h"
#include "loader/manifest.h"
#include "services/crypto.h"

namespace rct_fuzz {
namespace {

void require(const hostsdk::Status& s, const char* what) {
  FUZZ_CHECK(s.ok(), std::string(what) + ": " + s.message());
}

// tmpfs when there is one: every request that mints a token commits to SQLite.
std::string make_temp_dir() {
  const char* base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
  std::string templ = std::string(base) + "/rct-fuzz-http-XXXXXX";
  FUZZ_CHECK(mkdtemp(templ.data()) != nullptr, "mkdtemp " + templ);
  return templ;
}

host::SessionRecord session(const char* user_id, const char* token, std::int64_t now_ms) {
  host::SessionRecord r;
  r.workspace = "default";
  r.user_id = user_id;
  r.token_hash = host::crypto::token_hash(token);
  r.created_ms = now_ms;
  r.expires_ms = now_ms + 90LL * 24 * 3600 * 1000;
  return r;
}

}  // namespace

HttpWorld::HttpWorld() : dir_(make_temp_dir()) {
  spdlog::set_level(spdlog::level::off);  // one line per request would drown the fuzzer
  host::ServicesConfig config;
  config.storage_url = "sqlite:" + dir_ + "/host.db";
  config.settings_from_environment = false;
  auto opened = host::Services::open(config, std::make_shared<host::SystemClock>());
  FUZZ_CHECK(opened.ok(), opened.status().message());
  services_ = std::move(opened).value();
  host::Storage& storage = services_->storage();

  require(storage.add_workspace("other"), "add_workspace");
  require(storage.map_host(kOtherHost, "other"), "map_host");
  auto alice_hash = host::crypto::hash_password(kAlicePassword);
  FUZZ_CHECK(alice_hash.ok(), "hash_password");
  const std::int64_t now = services_->clock().now_ms();
  host::UserRecord admin{"default", kAdminId, "admin", "Admin", "", true, {"admin"}, now};
  host::UserRecord alice{"default",          kAliceId, "alice",  "Alice",
                         alice_hash.value(), true,     {"user"}, now};
  host::UserRecord bob{"default", "FuzzBob2222222222", "bob", "Bob", "", true, {"user"}, now};
  host::UserRecord carol{"default", "FuzzCaroZ22222222", "carol", "Carol", "", false, {"user"},
                         now};
  for (const auto* u : {&admin, &alice, &bob, &carol}) require(storage.add_user(*u), "add_user");
  require(storage.set_setting("default", "CREATE_TOKENS_FOR_USERS", "true"), "set_setting");

  // What PluginLoader::load_one does around start(), in the same order.
  auto manifest = host::loader::read_manifest(RCT_MANIFEST_PATH);
  FUZZ_CHECK(manifest.ok(), manifest.status().message());
  for (const auto& s : manifest->settings) services_->set_setting_default(s.name, s.default_text);
  adapter_ = std::make_unique<host::loader::HostAdapter>(*services_);
  require(plugin_.start(*adapter_), "plugin start");
  adapter_->recording().close();
  for (const auto& p : manifest->permissions)
    require(services_->declare_permission(p.id, p.default_roles), "declare_permission");

  builtins_ = std::make_unique<host::http::BuiltinRoutes>(*services_, metrics_, nullptr);
  builtins_->add_to(routes_);
  // As serve_command's route_plugins: the plugin's routes with the manifest's rate limit.
  for (const auto& registered : adapter_->recording().routes()) {
    host::http::Route route;
    route.method = registered.method;
    route.path = registered.path;
    route.plugin_id = manifest->id;
    route.action = host::http::action_of(registered.path);
    route.requires_auth = registered.requires_auth;
    route.handler = registered.handler;
    for (const auto& declared : manifest->routes) {
      if (declared.method == route.method && declared.path == route.path) {
        route.rate_limit = host::http::RateLimitRule{declared.rate_limit.requests,
                                                     declared.rate_limit.window_seconds};
      }
    }
    FUZZ_CHECK(routes_.add(std::move(route)), "route taken");
  }
  restore_sessions();
}

HttpWorld::~HttpWorld() {
  plugin_.stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void HttpWorld::restore_sessions() {
  host::Storage& storage = services_->storage();
  const std::int64_t now = services_->clock().now_ms();
  for (const auto& [id, token] : {std::pair{kAdminId, kAdminToken}, {kAliceId, kAliceToken}}) {
    const auto record = session(id, token, now);
    if (storage.find_session("default", id, record.token_hash).ok()) continue;
    require(storage.add_session(record, 50), "add_session");
  }
}

}  // namespace rct_fuzz
