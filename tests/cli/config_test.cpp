// serve's configuration: defaults < config file < environment < flags, the host settings
// under "settings", and an error naming the source and the setting for every kind of bad
// value (unknown key, wrong type, out of range, bad JSON, missing file).
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>

#include "cli/config.h"

namespace {

using host::cli::ConfigSource;
using host::cli::ServeConfig;
using host::cli::ServeOptions;

// A config file in a fresh temporary directory, removed afterwards.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) {
    std::string pattern = std::filesystem::temp_directory_path().string() + "/rct-cli-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    std::ofstream(path()) << text;
  }
  ~ConfigFile() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  ConfigFile(const ConfigFile&) = delete;
  ConfigFile& operator=(const ConfigFile&) = delete;
  std::string path() const { return (dir_ / "config.json").string(); }

 private:
  std::filesystem::path dir_;
};

using Env = std::map<std::string, std::string>;

host::cli::EnvironmentLookup lookup(const Env& env) {
  return [env](const std::string& name) -> std::optional<std::string> {
    auto found = env.find(name);
    if (found == env.end()) return std::nullopt;
    return found->second;
  };
}

hostsdk::Result<ServeConfig> resolve(const std::string& config_path, const Env& env = {},
                                     const ServeOptions& flags = {},
                                     const std::set<std::string>& given = {}) {
  return host::cli::resolve_serve_config(flags, given, config_path, lookup(env));
}

// The error message of a configuration that must be refused.
std::string error_of(const hostsdk::Result<ServeConfig>& r) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == hostsdk::StatusCode::kInvalidArgument);
  return r.status().message();
}

std::string file_error(const std::string& text) {
  ConfigFile file(text);
  std::string message = error_of(resolve(file.path()));
  // Every file error starts with the file's name.
  CHECK(message.rfind("config " + file.path() + ": ", 0) == 0);
  return message.substr(("config " + file.path() + ": ").size());
}

}  // namespace

TEST_CASE("config: no file, no environment, no flags gives the built-in defaults") {
  auto r = resolve("");
  REQUIRE(r.ok());
  const ServeOptions defaults;
  CHECK(r->options.port == defaults.port);
  CHECK(r->options.address == "127.0.0.1");
  CHECK(r->options.storage.data_dir == "./var");
  CHECK(r->options.rate_limit == "manifest");
  CHECK(r->options.log_format == "text");
  CHECK(r->options.setting_defaults.empty());
  CHECK(r->config_file.empty());
  for (const auto& [key, origin] : r->origins) {
    CAPTURE(key);
    CHECK(origin.source == ConfigSource::kDefault);
  }
}

TEST_CASE("config: flags > environment > config file > defaults, per setting") {
  ConfigFile file(R"({"port": 4000, "address": "127.0.0.2", "workers": 3, "threads": 4})");
  ServeOptions flags;
  flags.port = 6000;
  flags.workers = 9;  // not given: must not count
  Env env = {{"RCHOST_PORT", "5000"}, {"RCHOST_ADDRESS", "127.0.0.3"}};

  auto file_only = resolve(file.path());
  REQUIRE(file_only.ok());
  CHECK(file_only->options.port == 4000);
  CHECK(file_only->origins.at("port").source == ConfigSource::kConfigFile);
  CHECK(file_only->origins.at("port").where == file.path());
  CHECK(file_only->config_file == file.path());
  CHECK(file_only->options.config_file == file.path());

  auto with_env = resolve(file.path(), env);
  REQUIRE(with_env.ok());
  CHECK(with_env->options.port == 5000);
  CHECK(with_env->origins.at("port").source == ConfigSource::kEnvironment);
  CHECK(with_env->origins.at("port").where == "RCHOST_PORT");
  CHECK(with_env->options.address == "127.0.0.3");
  CHECK(with_env->options.threads == 4);  // the file's, nothing overrides it

  auto with_flag = resolve(file.path(), env, flags, {"--port"});
  REQUIRE(with_flag.ok());
  CHECK(with_flag->options.port == 6000);
  CHECK(with_flag->origins.at("port").source == ConfigSource::kFlag);
  CHECK(with_flag->options.address == "127.0.0.3");  // environment still wins over the file
  CHECK(with_flag->options.workers == 3);            // a flag not given does not count
  CHECK(with_flag->origins.at("workers").source == ConfigSource::kConfigFile);
}

TEST_CASE("config: --config wins over RCHOST_CONFIG; an empty variable counts as unset") {
  ConfigFile a(R"({"port": 4001})");
  ConfigFile b(R"({"port": 4002})");
  auto from_env = resolve("", {{"RCHOST_CONFIG", b.path()}});
  REQUIRE(from_env.ok());
  CHECK(from_env->options.port == 4002);
  auto from_flag = resolve(a.path(), {{"RCHOST_CONFIG", b.path()}});
  REQUIRE(from_flag.ok());
  CHECK(from_flag->options.port == 4001);

  auto empty = resolve(a.path(), {{"RCHOST_PORT", ""}});
  REQUIRE(empty.ok());
  CHECK(empty->options.port == 4001);
}

TEST_CASE("config: every setting is read from the file, the environment and its flag") {
  ConfigFile file(R"({
    // comments are allowed
    "address": "0.0.0.0", "port": 0, "threads": 0, "workers": 0,
    "data_dir": "/srv/rchost", "storage_url": "postgresql:///rchost",
    "plugins_dir": "/usr/lib/rchost/plugins", "body_limit": 1024, "header_limit": 512,
    "idle_timeout_seconds": 5, "read_timeout_seconds": 6, "max_connections": 64,
    "cache_ttl_ms": 0,
    "rate_limit": {"requests": 3, "window_seconds": 7}, /* block comment */
    "log_level": "debug", "log_format": "json"
  })");
  auto r = resolve(file.path());
  REQUIRE(r.ok());
  const ServeOptions& o = r->options;
  CHECK(o.address == "0.0.0.0");
  CHECK(o.port == 0);
  CHECK(o.workers == 0);
  CHECK(o.storage.data_dir == "/srv/rchost");
  CHECK(o.storage.storage_url == "postgresql:///rchost");
  CHECK(o.plugins_dir == "/usr/lib/rchost/plugins");
  CHECK(o.body_limit == 1024);
  CHECK(o.header_limit == 512);
  CHECK(o.idle_timeout_s == 5);
  CHECK(o.read_timeout_s == 6);
  CHECK(o.max_connections == 64);
  CHECK(o.cache_ttl_ms == 0);
  CHECK(o.rate_limit == "3/7");
  CHECK(o.log_level == "debug");
  CHECK(o.log_format == "json");
  for (const auto& key : host::cli::serve_setting_keys()) {
    CAPTURE(key.key);
    CHECK(r->origins.at(key.key).source == ConfigSource::kConfigFile);
    CHECK(key.env == "RCHOST_" + [&] {
      std::string upper;
      for (char c : key.key) upper += static_cast<char>(std::toupper(c));
      return upper;
    }());
    CHECK(key.flag.rfind("--", 0) == 0);
  }

  Env env = {{"RCHOST_RATE_LIMIT", "off"},         {"RCHOST_LOG_FORMAT", "text"},
             {"RCHOST_DATA_DIR", "/data"},         {"RCHOST_STORAGE_URL", "sqlite:/x.db"},
             {"RCHOST_IDLE_TIMEOUT_SECONDS", "9"}, {"RCHOST_CACHE_TTL_MS", "250"},
             {"RCHOST_MAX_CONNECTIONS", "128"}};
  auto e = resolve(file.path(), env);
  REQUIRE(e.ok());
  CHECK(e->options.rate_limit == "off");
  CHECK(e->options.log_format == "text");
  CHECK(e->options.storage.data_dir == "/data");
  CHECK(e->options.storage.storage_url == "sqlite:/x.db");
  CHECK(e->options.idle_timeout_s == 9);
  CHECK(e->options.cache_ttl_ms == 250);
  CHECK(e->options.max_connections == 128);

  ServeOptions flags;
  flags.rate_limit = "20/60";
  flags.storage.data_dir = "/flagged";
  auto f = resolve(file.path(), env, flags, {"--rate-limit", "--data"});
  REQUIRE(f.ok());
  CHECK(f->options.rate_limit == "20/60");
  CHECK(f->options.storage.data_dir == "/flagged");
  CHECK(f->origins.at("data_dir").where == "--data");
}

TEST_CASE("config: host settings act as environment defaults; \"\" means unset") {
  ConfigFile file(R"({"settings": {
    "CREATE_TOKENS_FOR_USERS": true, "CREATE_TOKENS_FOR_USERS_SECRET": "",
    "Accounts_LoginExpiration": 0.5, "MAX_RESUME_LOGIN_TOKENS": "7",
    "protectedRoles": ["admin", "bot"], "Custom.Plugin-Setting": "x"}})");
  auto r = resolve(file.path());
  REQUIRE(r.ok());
  const auto& s = r->options.setting_defaults;
  CHECK(s.at("CREATE_TOKENS_FOR_USERS") == "true");
  CHECK(s.count("CREATE_TOKENS_FOR_USERS_SECRET") == 0);
  CHECK(s.at("Accounts_LoginExpiration") == "0.5");
  CHECK(s.at("MAX_RESUME_LOGIN_TOKENS") == "7");
  CHECK(s.at("protectedRoles") == R"(["admin","bot"])");
  CHECK(s.at("Custom.Plugin-Setting") == "x");

  // Exported only where the environment has no (non-empty) value of its own.
  ::setenv("RCT_CLI_TEST_SET", "from-env", 1);
  ::setenv("RCT_CLI_TEST_EMPTY", "", 1);
  ::unsetenv("RCT_CLI_TEST_UNSET");
  host::cli::export_setting_defaults({{"RCT_CLI_TEST_SET", "from-file"},
                                      {"RCT_CLI_TEST_EMPTY", "from-file"},
                                      {"RCT_CLI_TEST_UNSET", "from-file"}});
  CHECK(std::string(std::getenv("RCT_CLI_TEST_SET")) == "from-env");
  CHECK(std::string(std::getenv("RCT_CLI_TEST_EMPTY")) == "from-file");
  CHECK(std::string(std::getenv("RCT_CLI_TEST_UNSET")) == "from-file");
}

TEST_CASE("config: the rate limit override") {
  using Mode = host::cli::RateLimitOverride::Mode;
  CHECK(host::cli::parse_rate_limit("manifest")->mode == Mode::kManifest);
  CHECK(host::cli::parse_rate_limit("off")->mode == Mode::kOff);
  auto fixed = host::cli::parse_rate_limit("100/30");
  REQUIRE(fixed);
  CHECK(fixed->mode == Mode::kFixed);
  CHECK(fixed->requests == 100);
  CHECK(fixed->window_seconds == 30);
  for (const char* bad : {"", "0/60", "10/0", "10", "10/", "/60", "a/b", "10/86401", "1000001/1",
                          "10/60/1", " 10/60", "OFF"}) {
    CAPTURE(bad);
    CHECK_FALSE(host::cli::parse_rate_limit(bad));
  }
  ConfigFile as_text(R"({"rate_limit": "off"})");
  REQUIRE(resolve(as_text.path()).ok());
  CHECK(resolve(as_text.path())->options.rate_limit == "off");
}

TEST_CASE("config errors: unknown keys name the key") {
  CHECK(file_error(R"({"prot": 3000})")
            .rfind(R"("prot": unknown setting (known: address, port)", 0) == 0);
  CHECK(file_error(R"({"rate_limit": {"requests": 1, "window_seconds": 1, "burst": 2}})") ==
        R"("rate_limit.burst": unknown setting (known: requests, window_seconds))");
  CHECK(file_error(R"({"settings": {"bad name": "x"}})") ==
        R"("settings.bad name": not a setting name (letters, digits, _ . -))");
}

TEST_CASE("config errors: wrong types name the setting and what it must be") {
  CHECK(file_error(R"({"port": "3000"})") == R"("port": must be an integer 0-65535)");
  CHECK(file_error(R"({"port": 3000.5})") == R"("port": must be an integer 0-65535)");
  CHECK(file_error(R"({"port": true})") == R"("port": must be an integer 0-65535)");
  CHECK(file_error(R"({"address": 127})") == R"("address": must be a non-empty string)");
  CHECK(file_error(R"({"address": ""})") == R"("address": must be a non-empty string)");
  CHECK(file_error(R"({"storage_url": null})") == R"("storage_url": must be a string)");
  CHECK(
      file_error(R"({"log_level": "loud"})") ==
      R"("log_level": must be one of "trace", "debug", "info", "warn", "error", "critical" or "off")");
  CHECK(file_error(R"({"log_format": "xml"})") ==
        R"("log_format": must be one of "text" or "json")");
  CHECK(
      file_error(R"({"rate_limit": 10})").rfind(R"("rate_limit": must be "manifest", "off")", 0) ==
      0);
  CHECK(file_error(R"({"rate_limit": {"requests": "10", "window_seconds": 60}})") ==
        R"("rate_limit.requests": must be an integer 1-1000000)");
  CHECK(file_error(R"({"rate_limit": {"requests": 10}})") ==
        R"("rate_limit.window_seconds": missing; must be an integer 1-86400)");
  CHECK(file_error(R"({"settings": ["CREATE_TOKENS_FOR_USERS"]})") ==
        R"("settings": must be an object of setting name: value)");
  CHECK(
      file_error(R"({"settings": {"CREATE_TOKENS_FOR_USERS": {"a": 1}}})") ==
      R"("settings.CREATE_TOKENS_FOR_USERS": must be a string, a number, a boolean or an array of strings)");
  CHECK(file_error(R"([1, 2])") == "must be a JSON object");
}

TEST_CASE("config errors: out-of-range values name the setting and the range") {
  CHECK(file_error(R"({"port": 65536})") == R"("port": must be an integer 0-65535)");
  CHECK(file_error(R"({"port": -1})") == R"("port": must be an integer 0-65535)");
  CHECK(file_error(R"({"threads": 257})") == R"("threads": must be an integer 0-256)");
  CHECK(file_error(R"({"workers": 1025})") == R"("workers": must be an integer 0-1024)");
  CHECK(file_error(R"({"body_limit": 0})") == R"("body_limit": must be an integer 1-67108864)");
  CHECK(file_error(R"({"header_limit": 100})") ==
        R"("header_limit": must be an integer 512-1048576)");
  CHECK(file_error(R"({"idle_timeout_seconds": 0})") ==
        R"("idle_timeout_seconds": must be an integer 1-3600)");
  CHECK(file_error(R"({"read_timeout_seconds": 3601})") ==
        R"("read_timeout_seconds": must be an integer 1-3600)");
  CHECK(file_error(R"({"max_connections": 0})") ==
        R"("max_connections": must be an integer 1-1000000)");
  CHECK(file_error(R"({"cache_ttl_ms": 1001})") == R"("cache_ttl_ms": must be an integer 0-1000)");
  CHECK(file_error(R"({"rate_limit": {"requests": 0, "window_seconds": 60}})") ==
        R"("rate_limit.requests": must be an integer 1-1000000)");
  CHECK(file_error(R"({"rate_limit": {"requests": 5, "window_seconds": 86401}})") ==
        R"("rate_limit.window_seconds": must be an integer 1-86400)");
  CHECK(file_error(R"({"settings": {"MAX_RESUME_LOGIN_TOKENS": 0}})") ==
        R"("settings.MAX_RESUME_LOGIN_TOKENS": must be an integer 1-1000000)");
  CHECK(file_error(R"({"settings": {"Accounts_LoginExpiration": -1}})") ==
        R"("settings.Accounts_LoginExpiration": must be a number of days above 0, at most 36500)");
  CHECK(file_error(R"({"settings": {"Accounts_LoginExpiration": "soon"}})") ==
        R"("settings.Accounts_LoginExpiration": must be a number of days above 0, at most 36500)");
}

TEST_CASE("config errors: unreadable or malformed files") {
  CHECK(file_error("{\"port\": 3000,}").rfind("not valid JSON: ", 0) == 0);
  CHECK(file_error("").rfind("not valid JSON: ", 0) == 0);
  std::string missing = error_of(resolve("/nonexistent/rchost/config.json"));
  CHECK(missing ==
        "config /nonexistent/rchost/config.json: cannot read: No such file or directory");
  std::string via_env = error_of(resolve("", {{"RCHOST_CONFIG", "/nonexistent/c.json"}}));
  CHECK(via_env.rfind("config /nonexistent/c.json: cannot read", 0) == 0);
}

TEST_CASE("config errors: the environment and flags are checked like the file") {
  CHECK(error_of(resolve("", {{"RCHOST_PORT", "80a"}})) ==
        "environment RCHOST_PORT: must be an integer 0-65535");
  CHECK(error_of(resolve("", {{"RCHOST_PORT", "-1"}})) ==
        "environment RCHOST_PORT: must be an integer 0-65535");
  CHECK(error_of(resolve("", {{"RCHOST_PORT", "70000"}})) ==
        "environment RCHOST_PORT: must be an integer 0-65535");
  CHECK(error_of(resolve("", {{"RCHOST_LOG_LEVEL", "loud"}}))
            .rfind("environment RCHOST_LOG_LEVEL: must be one of", 0) == 0);
  CHECK(error_of(resolve("", {{"RCHOST_RATE_LIMIT", "10"}}))
            .rfind("environment RCHOST_RATE_LIMIT: must be", 0) == 0);

  ServeOptions flags;
  flags.port = 70000;
  CHECK(error_of(resolve("", {}, flags, {"--port"})) == "--port: must be an integer 0-65535");
  flags.port = 3000;
  flags.threads = 300;
  CHECK(error_of(resolve("", {}, flags, {"--threads"})) == "--threads: must be an integer 0-256");
  flags.threads = 0;
  flags.rate_limit = "fast";
  CHECK(error_of(resolve("", {}, flags, {"--rate-limit"})).rfind("--rate-limit: must be", 0) == 0);
  // A bad value in a lower layer stops start-up even when a higher one overrides it.
  ConfigFile file(R"({"port": "x"})");
  flags.rate_limit = "manifest";
  CHECK(error_of(resolve(file.path(), {{"RCHOST_PORT", "3000"}}, flags, {"--port"})) ==
        "config " + file.path() + ": \"port\": must be an integer 0-65535");
}

TEST_CASE("config show: sources, and secrets redacted") {
  ConfigFile file(R"({"port": 4000, "storage_url": "postgresql://rc:hunter2@db/rc?password=pw2",
                      "settings": {"CREATE_TOKENS_FOR_USERS_SECRET": "s3cret",
                                   "MAX_RESUME_LOGIN_TOKENS": 5}})");
  Env env = {{"RCHOST_LOG_LEVEL", "warn"}, {"CREATE_TOKENS_FOR_USERS", "yes"}};
  auto r = resolve(file.path(), env);
  REQUIRE(r.ok());
  std::string text = host::cli::render_config(*r, false, lookup(env));
  CHECK(text.find("port\t4000\tconfig " + file.path() + "\n") != std::string::npos);
  CHECK(text.find("log_level\twarn\tenvironment RCHOST_LOG_LEVEL\n") != std::string::npos);
  CHECK(text.find("address\t127.0.0.1\tdefault\n") != std::string::npos);
  CHECK(text.find("settings.CREATE_TOKENS_FOR_USERS\tyes\tenvironment CREATE_TOKENS_FOR_USERS\n") !=
        std::string::npos);
  CHECK(text.find("settings.MAX_RESUME_LOGIN_TOKENS\t5\tconfig ") != std::string::npos);
  CHECK(text.find("settings.CREATE_TOKENS_FOR_USERS_SECRET\t<redacted>\t") != std::string::npos);
  CHECK(text.find("s3cret") == std::string::npos);
  CHECK(text.find("hunter2") == std::string::npos);
  CHECK(text.find("pw2") == std::string::npos);
  CHECK(text.find("postgresql://rc:***@db/rc?password=***") != std::string::npos);

  auto json = nlohmann::json::parse(host::cli::render_config(*r, true, lookup(env)));
  CHECK(json["port"]["value"] == 4000);
  CHECK(json["port"]["source"] == "config");
  CHECK(json["port"]["from"] == file.path());
  CHECK(json["log_level"]["source"] == "environment");
  CHECK(json["threads"]["source"] == "default");
  CHECK(json["settings.CREATE_TOKENS_FOR_USERS_SECRET"]["value"] == "<redacted>");
}

TEST_CASE("config: packaging/config.json parses and holds the built-in defaults") {
  const std::string path = std::string(RCT_SOURCE_DIR) + "/packaging/config.json";
  auto r = resolve(path);
  REQUIRE(r.ok());
  const ServeOptions defaults;
  ServeOptions expected = defaults;
  // The package's directories are the only differences.
  expected.storage.data_dir = "/var/lib/rchost";
  expected.plugins_dir = "/usr/lib/rchost/plugins";
  for (const auto& key : host::cli::serve_setting_keys()) {
    CAPTURE(key.key);
    CHECK(r->origins.at(key.key).source == ConfigSource::kConfigFile);  // every key is there
  }
  const ServeOptions& o = r->options;
  CHECK(o.address == expected.address);
  CHECK(o.port == expected.port);
  CHECK(o.threads == expected.threads);
  CHECK(o.workers == expected.workers);
  CHECK(o.storage.data_dir == expected.storage.data_dir);
  CHECK(o.storage.storage_url == expected.storage.storage_url);
  CHECK(o.plugins_dir == expected.plugins_dir);
  CHECK(o.body_limit == expected.body_limit);
  CHECK(o.header_limit == expected.header_limit);
  CHECK(o.idle_timeout_s == expected.idle_timeout_s);
  CHECK(o.read_timeout_s == expected.read_timeout_s);
  CHECK(o.max_connections == expected.max_connections);
  CHECK(o.cache_ttl_ms == expected.cache_ttl_ms);
  CHECK(o.rate_limit == expected.rate_limit);
  CHECK(o.log_level == expected.log_level);
  CHECK(o.log_format == expected.log_format);
  // The host's own defaults (services/sessions_service.cpp); the gate stays closed.
  CHECK(o.setting_defaults ==
        std::map<std::string, std::string>{{"Accounts_LoginExpiration", "90"},
                                           {"MAX_RESUME_LOGIN_TOKENS", "50"}});
}

// ---- The storage of the other commands (user, token, workspace, setting, plugin, audit) ----

namespace {

hostsdk::Result<host::cli::StorageConfig> resolve_storage(
    const std::string& config_path, const Env& env = {},
    const host::cli::StorageOptions& flags = {}, const std::string& plugins_flag = {},
    const std::set<std::string>& given = {}) {
  return host::cli::resolve_storage_config(flags, plugins_flag, given, config_path, lookup(env));
}

}  // namespace

TEST_CASE("storage config: flags > environment > config file > defaults, as for serve") {
  ConfigFile file(R"({"data_dir": "/var/lib/rchost", "plugins_dir": "/usr/lib/rchost/plugins",
                      "port": 3000, "log_level": "info", "settings": {"CREATE_TOKENS_FOR_USERS": "yes"}})");
  auto defaults = resolve_storage("");
  REQUIRE(defaults.ok());
  CHECK(defaults->storage.data_dir == "./var");
  CHECK(defaults->storage.storage_url.empty());
  CHECK(defaults->plugins_dir.empty());
  CHECK(defaults->config_file.empty());

  auto from_file = resolve_storage(file.path());
  REQUIRE(from_file.ok());
  CHECK(from_file->storage.data_dir == "/var/lib/rchost");
  CHECK(from_file->plugins_dir == "/usr/lib/rchost/plugins");
  CHECK(from_file->config_file == file.path());
  CHECK(resolve_storage("", {{"RCHOST_CONFIG", file.path()}})->storage.data_dir ==
        "/var/lib/rchost");

  Env env = {{"RCHOST_DATA_DIR", "/env/data"}, {"RCHOST_PLUGINS_DIR", "/env/plugins"}};
  auto with_env = resolve_storage(file.path(), env);
  REQUIRE(with_env.ok());
  CHECK(with_env->storage.data_dir == "/env/data");
  CHECK(with_env->plugins_dir == "/env/plugins");

  host::cli::StorageOptions flags;
  flags.data_dir = "/flag/data";
  flags.workspace = "w2";
  auto with_flags = resolve_storage(file.path(), env, flags, "/flag/plugins", {"--data"});
  REQUIRE(with_flags.ok());
  CHECK(with_flags->storage.data_dir == "/flag/data");
  CHECK(with_flags->storage.workspace == "w2");      // not a setting: always the flag's
  CHECK(with_flags->plugins_dir == "/env/plugins");  // --plugins not given: does not count
  auto all_flags =
      resolve_storage(file.path(), env, flags, "/flag/plugins", {"--data", "--plugins"});
  REQUIRE(all_flags.ok());
  CHECK(all_flags->plugins_dir == "/flag/plugins");

  // A flag that is not a storage setting never counts, even when it has serve's name.
  auto serve_flag = resolve_storage("", {}, {}, {}, {"--port", "--data"});
  REQUIRE(serve_flag.ok());
  CHECK(serve_flag->storage.data_dir == "./var");

  flags.storage_url = "sqlite:/flag.db";
  auto url = resolve_storage(file.path(), {{"RCHOST_STORAGE_URL", "sqlite:/env.db"}}, flags, {},
                             {"--storage"});
  REQUIRE(url.ok());
  CHECK(url->storage.storage_url == "sqlite:/flag.db");
  CHECK(resolve_storage(file.path(), {{"RCHOST_STORAGE_URL", "sqlite:/env.db"}})
            ->storage.storage_url == "sqlite:/env.db");
}

TEST_CASE("storage config: the whole file and environment are checked, with serve's messages") {
  ConfigFile bad_port(R"({"data_dir": "/var/lib/rchost", "port": 70000})");
  auto r = resolve_storage(bad_port.path());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == hostsdk::StatusCode::kInvalidArgument);
  CHECK(r.status().message() ==
        "config " + bad_port.path() + ": \"port\": must be an integer 0-65535");
  // A flag for the data directory does not make a broken file acceptable.
  host::cli::StorageOptions flags;
  flags.data_dir = "/flag/data";
  CHECK_FALSE(resolve_storage(bad_port.path(), {}, flags, {}, {"--data"}).ok());

  ConfigFile bad_setting(R"({"settings": {"MAX_RESUME_LOGIN_TOKENS": 0}})");
  auto s = resolve_storage("", {{"RCHOST_CONFIG", bad_setting.path()}});
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message().find("\"settings.MAX_RESUME_LOGIN_TOKENS\": must be an integer") !=
        std::string::npos);

  ConfigFile empty_data(R"({"data_dir": ""})");
  auto e = resolve_storage(empty_data.path());
  REQUIRE_FALSE(e.ok());
  CHECK(e.status().message().find("\"data_dir\": must be a non-empty string") != std::string::npos);

  auto env = resolve_storage("", {{"RCHOST_LOG_LEVEL", "loud"}});
  REQUIRE_FALSE(env.ok());
  CHECK(env.status().message().rfind("environment RCHOST_LOG_LEVEL: must be one of", 0) == 0);

  auto missing = resolve_storage("/nonexistent/config.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().rfind("config /nonexistent/config.json: cannot read", 0) == 0);
}
