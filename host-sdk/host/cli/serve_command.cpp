// rchost serve: open services, register built-in routes, load plugins, serve HTTP until a
// signal, then drain, stop and destroy plugins, and unload their libraries last.
#include <spdlog/spdlog.h>
#include <boost/dll/runtime_symbol_info.hpp>

#include <algorithm>
#include <set>
#include <thread>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/logging.h"
#include "http/builtin_routes.h"
#include "http/dispatcher.h"
#include "http/server.h"
#include "loader/plugin_loader.h"

namespace host::cli {
namespace {

std::filesystem::path plugins_dir(const ServeOptions& o) {
  if (!o.plugins_dir.empty()) return o.plugins_dir;
  boost::system::error_code ec;
  auto exe = boost::dll::program_location(ec);
  if (ec) return "plugins";
  return std::filesystem::path(exe.parent_path().string()) / "plugins";
}

// Plugin routes join the table with their manifest's rate limit.
void route_plugins(const loader::PluginSet& plugins, http::RouteTable& table) {
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
      table.add(std::move(route));
    }
  }
}

}  // namespace

int run_serve(const ServeOptions& o) {
  if (!configure_logging(o.log_level)) {
    spdlog::error("unknown log level \"{}\"", o.log_level);
    return kExitUsage;
  }
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
  loader::PluginSet plugins = loader.load_all(plugins_dir(o), taken);
  route_plugins(plugins, table);

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
