// Maps rchost's command line onto cli/commands.h with CLI11: one subcommand per task,
// --help on each, usage errors exit 2.
#include "cli/app.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "cli/commands.h"
#include "cli/config.h"
#include "cli/exit_codes.h"

namespace host::cli {
namespace {

// --data and --storage: serve's, and part of add_storage_options.
void add_data_options(CLI::App* cmd, StorageOptions& o) {
  cmd->add_option("--data", o.data_dir, "Data directory")->capture_default_str();
  cmd->add_option("--storage", o.storage_url, "Storage URL (default sqlite:<data>/host.db)");
}

// A configuration that cannot be used: exit 2, the message naming the source and the setting.
int config_error(const hostsdk::Status& status) {
  std::cerr << "rchost: " << status.message() << "\n";
  return kExitUsage;
}

// Leaf commands store their result here; CLI11 callbacks cannot return one.
struct Runner {
  int exit_code = kExitOk;
  // Per command, run before its body: where its storage is (see add_storage_options).
  std::map<const CLI::App*, std::function<hostsdk::Status()>> prepare;
  void on(CLI::App* cmd, std::function<int()> body) {
    cmd->callback([this, cmd, body = std::move(body)] {
      try {
        if (auto step = prepare.find(cmd); step != prepare.end()) {
          if (hostsdk::Status s = step->second(); !s.ok()) {
            exit_code = config_error(s);
            return;
          }
        }
        exit_code = body();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "rchost: %s\n", e.what());
        exit_code = kExitFailure;
      }
    });
  }
};

// The help footer of a command that opens storage (`plugins`: it also reads plugins_dir).
std::string storage_footer(bool plugins) {
  return std::string("Storage, highest precedence first: --data and --storage") +
         (plugins ? " (and --plugins)" : "") +
         ", then environment variables RCHOST_DATA_DIR and RCHOST_STORAGE_URL" +
         (plugins ? " (and RCHOST_PLUGINS_DIR)" : "") +
         ", then serve's JSON config file (--config, else $RCHOST_CONFIG): its data_dir and "
         "storage_url" +
         (plugins ? " (and plugins_dir)" : "") + ", then built-in defaults (data directory ./var" +
         (plugins ? ", plugins/ next to the executable" : "") +
         "). A storage URL, from any source, is used instead of the data directory. The file's "
         "other keys and the other RCHOST_<KEY> variables are checked as serve checks them but "
         "not used: an invalid one exits 2 naming the setting. With the Debian package, run as "
         "the service's user: sudo -u rchost rchost ... --config /etc/rchost/config.json";
}

// Names each flag's config key, variable and (for integers) range in --help: every serve
// setting's flag, or with `every_setting` false only the storage ones (--data, --storage,
// --plugins).
void describe_settings(CLI::App* cmd, bool every_setting = true) {
  for (const auto& key : serve_setting_keys()) {
    if (!every_setting && !is_storage_setting(key.key)) continue;
    CLI::Option* opt = cmd->get_option_no_throw(key.flag);
    if (opt == nullptr) continue;
    std::string range = key.range.empty() ? "" : "; " + key.range;
    opt->description(opt->get_description() + " [config \"" + key.key + "\", env " + key.env +
                     range + "]");
  }
}

// --data, --storage and --config (and --workspace; --plugins with `plugins_dir`) of a command
// that opens storage. Before the command runs, its storage (and plugin directory) is resolved
// as serve's is (cli/config.h): flags > RCHOST_ variables > config file > defaults.
void add_storage_options(Runner& runner, CLI::App* cmd, StorageOptions& o, bool workspace,
                         std::string* plugins_dir = nullptr) {
  add_data_options(cmd, o);
  auto config_file = std::make_shared<std::string>();
  cmd->add_option("--config", *config_file,
                  "serve's JSON config file, for its storage settings (default: "
                  "$RCHOST_CONFIG, else none)");
  if (workspace) {
    cmd->add_option("--workspace,-w", o.workspace, "Workspace")->capture_default_str();
  }
  if (plugins_dir != nullptr) {
    cmd->add_option("--plugins", *plugins_dir,
                    "Plugin directory (default: plugins/ next to the executable)");
  }
  describe_settings(cmd, false);
  cmd->footer(storage_footer(plugins_dir != nullptr));
  runner.prepare[cmd] = [cmd, &o, config_file, plugins_dir]() -> hostsdk::Status {
    std::set<std::string> given;
    for (const char* flag : {"--data", "--storage", "--plugins"}) {
      const CLI::Option* opt = cmd->get_option_no_throw(flag);
      if (opt != nullptr && opt->count() > 0) given.insert(flag);
    }
    auto config = resolve_storage_config(o, plugins_dir != nullptr ? *plugins_dir : "", given,
                                         *config_file, process_environment());
    if (!config.ok()) return config.status();
    o = config->storage;
    if (plugins_dir != nullptr) *plugins_dir = config->plugins_dir;
    return hostsdk::Status::Ok();
  };
}

constexpr const char* kPrecedence =
    "Settings, highest precedence first: flags, then environment variables RCHOST_<KEY> "
    "(e.g. RCHOST_PORT, RCHOST_LOG_LEVEL), then the JSON config file (--config, else "
    "$RCHOST_CONFIG), then built-in defaults. Host settings (CREATE_TOKENS_FOR_USERS, "
    "CREATE_TOKENS_FOR_USERS_SECRET, Accounts_LoginExpiration, MAX_RESUME_LOGIN_TOKENS, ...) "
    "go under \"settings\" in the file and act as environment defaults: a variable of the "
    "same name wins, and a workspace's stored value (rchost setting set) wins over both. "
    "Unknown keys and bad values stop start-up with exit code 2. Every key, documented: "
    "packaging/config.json, installed by the Debian package as /etc/rchost/config.json. "
    "Show the result with: rchost config show --config PATH";

// serve's settings as flags (also on `config show`). Ranges live in cli/config.cpp, which
// checks a flag's value like a config file's or the environment's.
void add_serve_options(CLI::App* cmd, ServeOptions& o, std::string& config_file) {
  add_data_options(cmd, o.storage);
  cmd->add_option("--config", config_file, "JSON config file (default: $RCHOST_CONFIG, else none)");
  cmd->add_option("--port,-p", o.port, "TCP port (0: any free port)")->capture_default_str();
  cmd->add_option("--address", o.address, "Listen address")->capture_default_str();
  cmd->add_option("--plugins", o.plugins_dir,
                  "Plugin directory (default: plugins/ next to the executable)");
  cmd->add_option("--threads", o.threads, "Server threads (0, the default: one per core)");
  cmd->add_option("--workers", o.workers,
                  "Threads for handlers that may block (login's password hashing, writes of a "
                  "request alone in flight); 0: run every handler on the server threads")
      ->capture_default_str();
  cmd->add_option("--cache-ttl-ms", o.cache_ttl_ms,
                  "Longest time a change made by another process (CLI, another host) may go "
                  "unseen; changes through this host apply at once (0: no cache)")
      ->capture_default_str();
  cmd->add_option("--body-limit", o.body_limit, "Largest request body in bytes (else 413)")
      ->capture_default_str();
  cmd->add_option("--header-limit", o.header_limit, "Largest request head in bytes (else 431)")
      ->capture_default_str();
  cmd->add_option("--idle-timeout", o.idle_timeout_s, "Keep-alive idle timeout, seconds")
      ->capture_default_str();
  cmd->add_option("--read-timeout", o.read_timeout_s, "Time to receive one request, seconds")
      ->capture_default_str();
  cmd->add_option("--max-connections", o.max_connections,
                  "Open connections at most; more are answered 503 and closed")
      ->capture_default_str();
  cmd->add_option("--rate-limit", o.rate_limit,
                  "Plugin routes' rate limit per client address and workspace: manifest (each "
                  "route's declared limit), off, or REQUESTS/WINDOW_SECONDS for every route")
      ->capture_default_str();
  cmd->add_option("--log-level", o.log_level, "trace, debug, info, warn, error, critical, off")
      ->capture_default_str();
  cmd->add_option("--log-format", o.log_format, "text or json (one object per line)")
      ->capture_default_str();
  cmd->add_flag("--test-clock", o.test_clock,
                "Enable POST /api/test/clock/advance (expiry tests only)");
}

// The effective configuration of a serve-like command; exit 2 naming the bad setting.
hostsdk::Result<ServeConfig> resolve(CLI::App* cmd, const ServeOptions& flags,
                                     const std::string& config_file) {
  std::set<std::string> given;
  for (const auto& key : serve_setting_keys()) {
    const CLI::Option* opt = cmd->get_option_no_throw(key.flag);
    if (opt != nullptr && opt->count() > 0) given.insert(key.flag);
  }
  return resolve_serve_config(flags, given, config_file, process_environment());
}

void add_serve(CLI::App& app, Runner& runner) {
  auto o = std::make_shared<ServeOptions>();
  auto config_file = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve HTTP with the plugins of a directory");
  add_serve_options(cmd, *o, *config_file);
  describe_settings(cmd);
  cmd->footer(kPrecedence);
  runner.on(cmd, [o, cmd, config_file] {
    auto config = resolve(cmd, *o, *config_file);
    if (!config.ok()) return config_error(config.status());
    return run_serve(config->options);
  });
}

void add_config(CLI::App& app, Runner& runner) {
  CLI::App* config = app.add_subcommand("config", "Inspect serve's configuration");
  config->require_subcommand(1);
  auto o = std::make_shared<ServeOptions>();
  auto config_file = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  CLI::App* show = config->add_subcommand(
      "show",
      "Print the configuration serve would run with (same file, environment and flags), "
      "each value with its source; secrets redacted");
  add_serve_options(show, *o, *config_file);
  describe_settings(show);
  show->add_flag("--json", *json, "One JSON object: key -> {value, source, from}");
  show->footer(kPrecedence);
  runner.on(show, [o, show, config_file, json] {
    auto effective = resolve(show, *o, *config_file);
    if (!effective.ok()) return config_error(effective.status());
    std::cout << render_config(effective.value(), *json, process_environment());
    return static_cast<int>(kExitOk);
  });
}

void add_user(CLI::App& app, Runner& runner) {
  CLI::App* user = app.add_subcommand("user", "Manage users of a workspace");
  user->require_subcommand(1);

  auto add = std::make_shared<UserAddOptions>();
  CLI::App* cmd = user->add_subcommand("add", "Add a user; prints the new user id");
  add_storage_options(runner, cmd, add->storage, true);
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
  add_storage_options(runner, sc, seed->storage, true);
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
        active ? "Let a user log in again" : "Deactivate a user and delete their sessions");
    add_storage_options(runner, c, *o, true);
    c->add_option("username", *username, "Username")->required();
    runner.on(c, [o, username, active] { return run_user_set_active(*o, *username, active); });
  }

  auto list = std::make_shared<StorageOptions>();
  auto json = std::make_shared<bool>(false);
  CLI::App* l = user->add_subcommand("list", "List the users of a workspace");
  add_storage_options(runner, l, *list, true);
  l->add_flag("--json", *json, "One JSON object per line");
  runner.on(l, [list, json] { return run_user_list(*list, *json); });

  auto ro = std::make_shared<StorageOptions>();
  auto rname = std::make_shared<std::string>();
  auto roles = std::make_shared<std::vector<std::string>>();
  CLI::App* r = user->add_subcommand(
      "set-roles", "Replace a user's roles (running hosts apply them within a second)");
  add_storage_options(runner, r, *ro, true);
  r->add_option("username", *rname, "Username")->required();
  r->add_option("--roles", *roles, "Comma-separated roles, e.g. user,bot")
      ->delimiter(',')
      ->required();
  runner.on(r, [ro, rname, roles] { return run_user_set_roles(*ro, *rname, *roles); });

  auto po = std::make_shared<UserSetPasswordOptions>();
  auto password = std::make_shared<std::string>();
  CLI::App* p = user->add_subcommand(
      "set-password",
      "Set a user's password (Argon2id, as user add). Read from --password-file, or from "
      "standard input when neither option is given (its first line; on a terminal, asked "
      "twice without echo). Existing sessions stay valid: end them with rchost token revoke "
      "USERNAME --all");
  add_storage_options(runner, p, po->storage, true);
  p->add_option("username", po->username, "Username")->required();
  CLI::Option* pw = p->add_option(
      "--password", *password, "The password (visible to other local users in ps; prefer a file)");
  CLI::Option* pf = p->add_option("--password-file", po->password_file,
                                  "File whose first line is the password; - for standard input");
  pw->excludes(pf);
  runner.on(p, [po, password, pw] {
    if (pw->count() > 0) po->password = *password;
    return run_user_set_password(*po);
  });
}

void add_token(CLI::App& app, Runner& runner) {
  CLI::App* token = app.add_subcommand(
      "token", "List or revoke a user's login sessions (by a prefix of the stored token hash)");
  token->require_subcommand(1);

  auto lo = std::make_shared<StorageOptions>();
  auto lname = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  CLI::App* list = token->add_subcommand(
      "list",
      "List a user's sessions, newest first: hash prefix, created, expires (ISO-8601 UTC), "
      "live or expired. Tokens are never stored, so never shown");
  add_storage_options(runner, list, *lo, true);
  list->add_option("username", *lname, "Username")->required();
  list->add_flag("--json", *json, "One JSON object per line");
  runner.on(list, [lo, lname, json] { return run_token_list(*lo, *lname, *json); });

  auto ro = std::make_shared<TokenRevokeOptions>();
  CLI::App* revoke = token->add_subcommand(
      "revoke",
      "End sessions of a user: the one whose hash starts with --hash-prefix (as token list "
      "shows it), or --all. Running hosts refuse the token within a second. An ambiguous "
      "prefix exits 2 listing the candidates; no match exits 3");
  add_storage_options(runner, revoke, ro->storage, true);
  revoke->add_option("username", ro->username, "Username")->required();
  CLI::Option* prefix =
      revoke->add_option("--hash-prefix", ro->hash_prefix, "Start of the session's hash");
  CLI::Option* all = revoke->add_flag("--all", ro->all, "Every session of the user");
  prefix->excludes(all);  // one of them is required: run_token_revoke says so (exit 2)
  runner.on(revoke, [ro] { return run_token_revoke(*ro); });
}

void add_workspace(CLI::App& app, Runner& runner) {
  CLI::App* ws = app.add_subcommand("workspace", "Manage workspaces and their host names");
  ws->require_subcommand(1);

  auto o = std::make_shared<StorageOptions>();
  auto name = std::make_shared<std::string>();
  auto host = std::make_shared<std::string>();
  CLI::App* add = ws->add_subcommand("add", "Create a workspace");
  add_storage_options(runner, add, *o, false);
  add->add_option("name", *name, "Workspace name")->required();
  add->add_option("--host", *host, "Host name that selects it (Host header)");
  runner.on(add, [o, name, host] { return run_workspace_add(*o, *name, *host); });

  auto mo = std::make_shared<StorageOptions>();
  auto mhost = std::make_shared<std::string>();
  auto mws = std::make_shared<std::string>();
  CLI::App* map = ws->add_subcommand("map-host", "Route a Host header value to a workspace");
  add_storage_options(runner, map, *mo, false);
  map->add_option("host", *mhost, "Host name")->required();
  map->add_option("workspace", *mws, "Workspace name")->required();
  runner.on(map, [mo, mhost, mws] { return run_workspace_map_host(*mo, *mhost, *mws); });

  auto lo = std::make_shared<StorageOptions>();
  CLI::App* list = ws->add_subcommand("list", "List workspaces");
  add_storage_options(runner, list, *lo, false);
  runner.on(list, [lo] { return run_workspace_list(*lo); });
}

void add_setting(CLI::App& app, Runner& runner) {
  CLI::App* setting = app.add_subcommand("setting", "Set or unset a workspace setting");
  setting->require_subcommand(1);

  auto o = std::make_shared<StorageOptions>();
  auto name = std::make_shared<std::string>();
  auto value = std::make_shared<std::string>();
  CLI::App* set = setting->add_subcommand("set", "Store a value (wins over the environment)");
  add_storage_options(runner, set, *o, true);
  set->add_option("name", *name, "Setting name")->required();
  set->add_option("value", *value, "Value (text; JSON for arrays)")->required();
  runner.on(set, [o, name, value] { return run_setting_set(*o, *name, *value); });

  auto uo = std::make_shared<StorageOptions>();
  auto uname = std::make_shared<std::string>();
  CLI::App* unset = setting->add_subcommand("unset", "Remove the stored value");
  add_storage_options(runner, unset, *uo, true);
  unset->add_option("name", *uname, "Setting name")->required();
  runner.on(unset, [uo, uname] { return run_setting_unset(*uo, *uname); });
}

void add_plugin(CLI::App& app, Runner& runner) {
  CLI::App* plugin =
      app.add_subcommand("plugin", "List plugins, enable or disable one per workspace");
  plugin->require_subcommand(1);
  for (bool enabled : {true, false}) {
    auto o = std::make_shared<StorageOptions>();
    auto id = std::make_shared<std::string>();
    CLI::App* c = plugin->add_subcommand(enabled ? "enable" : "disable",
                                         enabled ? "Serve the plugin's routes in the workspace"
                                                 : "Answer 404 for its routes in the workspace");
    add_storage_options(runner, c, *o, true);
    c->add_option("plugin_id", *id, "Plugin id from its manifest")->required();
    runner.on(c, [o, id, enabled] { return run_plugin_enable(*o, *id, enabled); });
  }

  auto lo = std::make_shared<StorageOptions>();
  auto dir = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  CLI::App* list = plugin->add_subcommand(
      "list",
      "Check every plugin directory as serve does (manifest, library, descriptor, start, "
      "registrations) and print id, version, loaded or refused with the reason, and whether "
      "the workspace enables it. Exit 0 even when a plugin is refused");
  add_storage_options(runner, list, *lo, true, dir.get());
  list->add_flag("--json", *json, "One JSON object per line");
  runner.on(list, [lo, dir, json] { return run_plugin_list(*lo, *dir, *json); });
}

void add_audit(CLI::App& app, Runner& runner) {
  CLI::App* audit = app.add_subcommand("audit", "Read the audit trail");
  audit->require_subcommand(1);
  auto o = std::make_shared<AuditListOptions>();
  o->storage.workspace.clear();
  CLI::App* list = audit->add_subcommand("list", "List audit events, oldest first");
  add_storage_options(runner, list, o->storage, false);
  list->add_option("--workspace,-w", o->storage.workspace, "Only this workspace (default: all)");
  list->add_option("--caller", o->caller,
                   "Only events of this caller: user id, or username with --workspace");
  list->add_option("--target", o->target,
                   "Only events naming this target: user id, or username with --workspace");
  list->add_option("--outcome", o->outcome, "Only this outcome: issued, refused or failed");
  list->add_option("--since", o->since,
                   "Only events at or after this time: ISO-8601 (2024-05-01, "
                   "2024-05-01T12:00:00Z, ...; UTC unless an offset is given) or an age such as "
                   "90s, 30m, 1h, 7d, 2w");
  list->add_option("--limit", o->limit, "At most this many events, the newest (0: all)")
      ->capture_default_str();
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
  add_token(app, runner);
  add_plugin(app, runner);
  add_audit(app, runner);
  add_config(app, runner);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return runner.exit_code;
}

}  // namespace host::cli
