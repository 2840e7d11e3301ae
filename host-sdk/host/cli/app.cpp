// Maps rchost's command line onto cli/commands.h with CLI11: one subcommand per task,
// --help on each, usage errors exit 2.
#include "cli/app.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <functional>
#include <memory>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace host::cli {
namespace {

void add_storage_options(CLI::App* cmd, StorageOptions& o, bool workspace) {
  cmd->add_option("--data", o.data_dir, "Data directory")->capture_default_str();
  cmd->add_option("--storage", o.storage_url, "Storage URL (default sqlite:<data>/host.db)");
  if (workspace) {
    cmd->add_option("--workspace,-w", o.workspace, "Workspace")->capture_default_str();
  }
}

// Leaf commands store their result here; CLI11 callbacks cannot return one.
struct Runner {
  int exit_code = kExitOk;
  void on(CLI::App* cmd, std::function<int()> body) {
    cmd->callback([this, body = std::move(body)] {
      try {
        exit_code = body();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "rchost: %s\n", e.what());
        exit_code = kExitFailure;
      }
    });
  }
};

void add_serve(CLI::App& app, Runner& runner) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve HTTP with the plugins of a directory");
  add_storage_options(cmd, o->storage, false);
  cmd->add_option("--port,-p", o->port, "TCP port (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--address", o->address, "Listen address")->capture_default_str();
  cmd->add_option("--plugins", o->plugins_dir,
                  "Plugin directory (default: plugins/ next to the executable)");
  cmd->add_option("--threads", o->threads, "Server threads (default: one per core)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--workers", o->workers,
                  "Threads for handlers that may block (login's password hashing, writes of a "
                  "request alone in flight); 0: run every handler on the server threads")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--cache-ttl-ms", o->cache_ttl_ms,
                  "Longest time a change made by another process (CLI, another host) may go "
                  "unseen; changes through this host apply at once (0: no cache)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  cmd->add_option("--body-limit", o->body_limit, "Largest request body in bytes (else 413)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64 << 20));
  cmd->add_option("--header-limit", o->header_limit, "Largest request head in bytes (else 431)")
      ->capture_default_str()
      ->check(CLI::Range(512, 1 << 20));
  cmd->add_option("--idle-timeout", o->idle_timeout_s, "Keep-alive idle timeout, seconds")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--read-timeout", o->read_timeout_s, "Time to receive one request, seconds")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--log-level", o->log_level, "trace, debug, info, warn, error, off")
      ->capture_default_str();
  cmd->add_flag("--test-clock", o->test_clock,
                "Enable POST /api/test/clock/advance (expiry tests only)");
  runner.on(cmd, [o] { return run_serve(*o); });
}

void add_user(CLI::App& app, Runner& runner) {
  CLI::App* user = app.add_subcommand("user", "Manage users of a workspace");
  user->require_subcommand(1);

  auto add = std::make_shared<UserAddOptions>();
  CLI::App* cmd = user->add_subcommand("add", "Add a user; prints the new user id");
  add_storage_options(cmd, add->storage, true);
  cmd->add_option("--username,-u", add->username, "Username")->required();
  cmd->add_option("--password", add->password, "Password")->required();
  cmd->add_option("--name", add->name, "Display name (default: the username)");
  cmd->add_option("--roles", add->roles, "Comma-separated roles")
      ->delimiter(',')
      ->capture_default_str();
  runner.on(cmd, [add] { return run_user_add(*add); });

  auto seed = std::make_shared<UserSeedOptions>();
  CLI::App* sc = user->add_subcommand(
      "seed", "Bulk-add users <prefix>1..<prefix>N (role user, no password: cannot log in)");
  add_storage_options(sc, seed->storage, true);
  sc->add_option("--count,-n", seed->count, "How many users")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}));
  sc->add_option("--prefix", seed->prefix, "Username prefix")->capture_default_str();
  runner.on(sc, [seed] { return run_user_seed(*seed); });

  for (bool active : {false, true}) {
    auto o = std::make_shared<StorageOptions>();
    auto username = std::make_shared<std::string>();
    CLI::App* c = user->add_subcommand(
        active ? "activate" : "deactivate",
        active ? "Let a user log in again" : "Deactivate a user (their sessions stop working)");
    add_storage_options(c, *o, true);
    c->add_option("username", *username, "Username")->required();
    runner.on(c, [o, username, active] { return run_user_set_active(*o, *username, active); });
  }

  auto list = std::make_shared<StorageOptions>();
  auto json = std::make_shared<bool>(false);
  CLI::App* l = user->add_subcommand("list", "List the users of a workspace");
  add_storage_options(l, *list, true);
  l->add_flag("--json", *json, "One JSON object per line");
  runner.on(l, [list, json] { return run_user_list(*list, *json); });
}

void add_workspace(CLI::App& app, Runner& runner) {
  CLI::App* ws = app.add_subcommand("workspace", "Manage workspaces and their host names");
  ws->require_subcommand(1);

  auto o = std::make_shared<StorageOptions>();
  auto name = std::make_shared<std::string>();
  auto host = std::make_shared<std::string>();
  CLI::App* add = ws->add_subcommand("add", "Create a workspace");
  add_storage_options(add, *o, false);
  add->add_option("name", *name, "Workspace name")->required();
  add->add_option("--host", *host, "Host name that selects it (Host header)");
  runner.on(add, [o, name, host] { return run_workspace_add(*o, *name, *host); });

  auto mo = std::make_shared<StorageOptions>();
  auto mhost = std::make_shared<std::string>();
  auto mws = std::make_shared<std::string>();
  CLI::App* map = ws->add_subcommand("map-host", "Route a Host header value to a workspace");
  add_storage_options(map, *mo, false);
  map->add_option("host", *mhost, "Host name")->required();
  map->add_option("workspace", *mws, "Workspace name")->required();
  runner.on(map, [mo, mhost, mws] { return run_workspace_map_host(*mo, *mhost, *mws); });

  auto lo = std::make_shared<StorageOptions>();
  CLI::App* list = ws->add_subcommand("list", "List workspaces");
  add_storage_options(list, *lo, false);
  runner.on(list, [lo] { return run_workspace_list(*lo); });
}

void add_setting(CLI::App& app, Runner& runner) {
  CLI::App* setting = app.add_subcommand("setting", "Set or unset a workspace setting");
  setting->require_subcommand(1);

  auto o = std::make_shared<StorageOptions>();
  auto name = std::make_shared<std::string>();
  auto value = std::make_shared<std::string>();
  CLI::App* set = setting->add_subcommand("set", "Store a value (wins over the environment)");
  add_storage_options(set, *o, true);
  set->add_option("name", *name, "Setting name")->required();
  set->add_option("value", *value, "Value (text; JSON for arrays)")->required();
  runner.on(set, [o, name, value] { return run_setting_set(*o, *name, *value); });

  auto uo = std::make_shared<StorageOptions>();
  auto uname = std::make_shared<std::string>();
  CLI::App* unset = setting->add_subcommand("unset", "Remove the stored value");
  add_storage_options(unset, *uo, true);
  unset->add_option("name", *uname, "Setting name")->required();
  runner.on(unset, [uo, uname] { return run_setting_unset(*uo, *uname); });
}

void add_plugin(CLI::App& app, Runner& runner) {
  CLI::App* plugin = app.add_subcommand("plugin", "Enable or disable a plugin per workspace");
  plugin->require_subcommand(1);
  for (bool enabled : {true, false}) {
    auto o = std::make_shared<StorageOptions>();
    auto id = std::make_shared<std::string>();
    CLI::App* c = plugin->add_subcommand(enabled ? "enable" : "disable",
                                         enabled ? "Serve the plugin's routes in the workspace"
                                                 : "Answer 404 for its routes in the workspace");
    add_storage_options(c, *o, true);
    c->add_option("plugin_id", *id, "Plugin id from its manifest")->required();
    runner.on(c, [o, id, enabled] { return run_plugin_enable(*o, *id, enabled); });
  }
}

void add_audit(CLI::App& app, Runner& runner) {
  CLI::App* audit = app.add_subcommand("audit", "Read the audit trail");
  audit->require_subcommand(1);
  auto o = std::make_shared<AuditListOptions>();
  o->storage.workspace.clear();
  CLI::App* list = audit->add_subcommand("list", "List audit events");
  add_storage_options(list, o->storage, false);
  list->add_option("--workspace,-w", o->storage.workspace, "Only this workspace (default: all)");
  list->add_option("--limit", o->limit, "At most this many events")->capture_default_str();
  list->add_flag("--json", o->json, "One JSON object per line");
  runner.on(list, [o] { return run_audit_list(*o); });
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{
      "rchost: the reference host for users.createToken and other host SDK plugins.\n"
      "Exit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 already exists, "
      "5 storage unavailable."};
  app.require_subcommand(1);
  Runner runner;
  add_serve(app, runner);
  add_user(app, runner);
  add_workspace(app, runner);
  add_setting(app, runner);
  add_plugin(app, runner);
  add_audit(app, runner);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return runner.exit_code;
}

}  // namespace host::cli
