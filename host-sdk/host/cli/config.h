// rchost serve's configuration: built-in defaults, then one JSON config file, then RCHOST_*
// environment variables, then command-line flags; each later source wins over the earlier.
// The other commands find their storage (data_dir, storage_url, plugins_dir) the same way.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "hostsdk/status.h"

namespace host::cli {

// Where an effective value came from, lowest precedence first.
enum class ConfigSource { kDefault, kConfigFile, kEnvironment, kFlag };

struct ValueOrigin {
  ConfigSource source = ConfigSource::kDefault;
  std::string where;  // the file, the variable or the flag; empty for a default
};

// One serve setting: its config-file key, environment variable and flag.
struct SettingKey {
  std::string key;    // "port"
  std::string env;    // "RCHOST_PORT"
  std::string flag;   // "--port"
  std::string rule;   // "an integer 0-65535": what a valid value is
  std::string range;  // "0-65535" for integers (for --help), else empty
};
// Every serve setting, in the order `config show` prints them ("settings" excluded).
const std::vector<SettingKey>& serve_setting_keys();

struct ServeConfig {
  ServeOptions options;
  std::string config_file;                     // empty: none was read
  std::map<std::string, ValueOrigin> origins;  // by key of serve_setting_keys()
};

// Looks up an environment variable; nullopt when unset.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvironmentLookup process_environment();

// The configuration serve runs with. `flags` holds the flag values (defaults where not given)
// and `given_flags` the flags given (as "--port"); `config_flag` is --config (else
// RCHOST_CONFIG names the file; neither: no file). Empty environment values count as unset.
// kInvalidArgument with a message naming the source and the setting, e.g.
//   config /etc/rchost/config.json: "port": must be an integer 0-65535
hostsdk::Result<ServeConfig> resolve_serve_config(const ServeOptions& flags,
                                                  const std::set<std::string>& given_flags,
                                                  const std::string& config_flag,
                                                  const EnvironmentLookup& environment);

// Where a command other than serve (user, token, workspace, setting, plugin, audit) finds
// its storage and plugins: serve's resolution, with the same file, variables, precedence and
// errors (every key of the file and every RCHOST_ variable is checked as for serve), of which
// only data_dir, storage_url and plugins_dir are used.
struct StorageConfig {
  StorageOptions storage;   // data_dir and storage_url resolved; workspace as in `flags`
  std::string plugins_dir;  // empty: plugins/ next to the executable
  std::string config_file;  // empty: none was read
};
// The setting keys a storage command uses: data_dir, storage_url, plugins_dir.
bool is_storage_setting(std::string_view key);
// `flags` and `plugins_flag` hold the flag values, `given_flags` the flags given; only
// --data, --storage and --plugins count, any other is ignored.
hostsdk::Result<StorageConfig> resolve_storage_config(const StorageOptions& flags,
                                                      const std::string& plugins_flag,
                                                      const std::set<std::string>& given_flags,
                                                      const std::string& config_flag,
                                                      const EnvironmentLookup& environment);

// Plugin routes' rate limit: "manifest" (each route's declared limit), "off", or
// "<requests>/<window_seconds>" for every plugin route.
struct RateLimitOverride {
  enum class Mode { kManifest, kOff, kFixed } mode = Mode::kManifest;
  std::uint32_t requests = 0;
  std::uint32_t window_seconds = 0;
};
std::optional<RateLimitOverride> parse_rate_limit(std::string_view text);

// Sets each config-file host setting in this process's environment unless the environment
// already has it, so it acts as the environment default. Values are never logged.
void export_setting_defaults(const std::map<std::string, std::string>& settings);

// Host settings whose values `config show` never prints.
bool is_secret_setting(std::string_view name);

// `rchost config show`: one line per setting "key<TAB>value<TAB>source", or one JSON object
// (`json`); secrets and a storage URL's password are redacted. The environment is consulted
// for host settings (their environment value wins over the file's).
std::string render_config(const ServeConfig& config, bool json,
                          const EnvironmentLookup& environment);

}  // namespace host::cli
