// rchost serve: open services, register built-in routes, load plugins, serve HTTP until a
// signal, then drain, stop and destroy plugins, and unload their libraries last.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <thread>

#include "cli/commands.h"
#include "cli/config.h"
#include "cli/exit_codes.h"
#include "cli/logging.h"
#include "http/builtin_routes.h"
#include "http/dispatcher.h"
#include "http/server.h"
#include "loader/plugin_loader.h"

namespace host::cli {
namespace {

// Plugin routes join the table with their manifest's rate limit, unless the host-wide
// override (--rate-limit, config "rate_limit") replaces or removes it.
void route_plugins(const loader::PluginSet& plugins, const RateLimitOverride& rate_override,
                   http::RouteTable& table) {
  for (const auto& plugin : plugins.plugins()) {
    const auto& manifest = plugin->manifest();
    for (const auto& registered : plugin->routes()) {
      http::Route route;
      route.method = registered.method;
      route.path = registered.path;
      route.plugin_id = manifest.id;
      route.action = http::action_of(registered.path);
      route.requires_auth = registered.requires_auth;
      route.handler = registered.handler;
      // Under concurrent load a plugin's session and audit writes are committed after its
      // handler returns (RequestWrites), and the handler then runs on an io thread.
      route.blocking = http::Blocking::kOnWrites;
      for (const auto& declared : manifest.routes) {
        if (declared.method == route.method && declared.path == route.path) {
          route.rate_limit =
              http::RateLimitRule{declared.rate_limit.requests, declared.rate_limit.window_seconds};
        }
      }
      if (rate_override.mode == RateLimitOverride::Mode::kOff) {
        route.rate_limit.reset();
      } else if (rate_override.mode == RateLimitOverride::Mode::kFixed) {
        route.rate_limit =
            http::RateLimitRule{rate_override.requests, rate_override.window_seconds};
      }
      table.add(std::move(route));
    }
  }
}

// Config-file settings no loaded plugin declares and the host does not read: likely typos.
void warn_undeclared_settings(const ServeOptions& o, const loader::PluginSet& plugins) {
  std::set<std::string> known = {"Accounts_LoginExpiration", "MAX_RESUME_LOGIN_TOKENS"};
  for (const auto& plugin : plugins.plugins()) {
    for (const auto& setting : plugin->manifest().settings) known.insert(setting.name);
  }
  for (const auto& [name, value] : o.setting_defaults) {
    if (known.count(name) == 0) {
      spdlog::warn("config {}: setting \"{}\" is read by neither the host nor a loaded plugin",
                   o.config_file, name);
    }
  }
}

}  // namespace

int run_serve(const ServeOptions& o) {
  auto rate_override = parse_rate_limit(o.rate_limit);
  if (!rate_override) {
    std::fprintf(stderr, "rchost: --rate-limit \"%s\": must be manifest, off or N/S\n",
                 o.rate_limit.c_str());
    return kExitUsage;
  }
  if (!configure_logging(o.log_level, o.log_format)) {
    spdlog::error("unknown log level \"{}\" or format \"{}\"", o.log_level, o.log_format);
    return kExitUsage;
  }
  if (!o.config_file.empty()) spdlog::info("configuration file {}", o.config_file);
  // Before any service or plugin reads a setting; values are never logged.
  export_setting_defaults(o.setting_defaults);
  std::shared_ptr<OffsetClock> test_clock;
  std::shared_ptr<Clock> clock = std::make_shared<SystemClock>();
  if (o.test_clock) {
    test_clock = std::make_shared<OffsetClock>();
    clock = test_clock;
    spdlog::warn("test clock enabled: POST /api/test/clock/advance moves time (tests only)");
  }

  int code = kExitOk;
  auto services = open_services(o.storage, clock, code, std::chrono::milliseconds(o.cache_ttl_ms));
  if (!services) return code;

  http::HostMetrics metrics;
  http::RouteTable table;
  http::BuiltinRoutes builtins(*services, metrics, test_clock);
  builtins.add_to(table);

  std::set<loader::RouteKey> taken;
  for (auto& key : table.keys()) taken.insert(key);
  loader::PluginLoader loader(*services);
  std::vector<loader::PluginLoader::Outcome> outcomes;  // for rchost_plugin_load on /metrics
  loader::PluginSet plugins = loader.load_all(plugins_directory(o.plugins_dir), taken, &outcomes);
  for (const auto& p : outcomes) {
    metrics.plugin_load(p.name, !p.refusal, p.refusal ? p.refusal->check : "");
  }
  route_plugins(plugins, *rate_override, table);
  warn_undeclared_settings(o, plugins);
  if (rate_override->mode == RateLimitOverride::Mode::kOff) {
    spdlog::warn("rate limit of plugin routes: off (setting rate_limit)");
  } else if (rate_override->mode == RateLimitOverride::Mode::kFixed) {
    spdlog::info("rate limit of every plugin route: {} requests per {} s", rate_override->requests,
                 rate_override->window_seconds);
  }

  http::EnablementCache enablement(services->storage());
  http::RateLimiter rate_limiter;
  http::Dispatcher dispatcher({*services, table, enablement, rate_limiter, metrics});

  http::ServerOptions server_options;
  server_options.address = o.address;
  server_options.port = static_cast<unsigned short>(o.port);
  server_options.threads =
      o.threads != 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  server_options.workers = o.workers;
  server_options.body_limit = o.body_limit;
  server_options.header_limit = o.header_limit;
  server_options.idle_timeout = std::chrono::seconds(o.idle_timeout_s);
  server_options.read_timeout = std::chrono::seconds(o.read_timeout_s);
  server_options.max_connections = o.max_connections;
  http::Server server(server_options, dispatcher);
  if (Status s = server.listen(); !s.ok()) {
    spdlog::error("{}", s.message());
    return kExitFailure;
  }
  server.run();  // returns after SIGINT/SIGTERM and the drain

  spdlog::info("stopping plugins");
  plugins.shutdown();  // stop() all, destroy() all, then unload the libraries
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace host::cli
