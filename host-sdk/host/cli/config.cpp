// The serve settings table (config key, RCHOST_ variable, flag, validation) and the layering
// of defaults < config file < environment < flags, for serve and (storage keys only) for the
// other commands. Every source goes through one validator per setting, so a value is checked
// the same way wherever it comes from.
#include "cli/config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

namespace host::cli {
namespace {

using nlohmann::json;

enum class Kind { kInteger, kText, kChoice, kRateLimit };

// One serve setting: how to find it in each source, check it and store it.
struct Spec {
  SettingKey names;
  Kind kind = Kind::kText;
  std::uint64_t min = 0;
  std::uint64_t max = 0;
  std::vector<std::string> choices;  // kChoice
  bool non_empty = false;            // kText
  bool secret_url = false;           // a URL whose password config show redacts
  std::function<json(const ServeOptions&)> get;
  std::function<void(ServeOptions&, const json&)> set;
};

constexpr std::uint32_t kMaxRateRequests = 1'000'000;
constexpr std::uint32_t kMaxRateWindow = 86'400;

std::string env_name(const std::string& key) {
  std::string name = "RCHOST_";
  for (char c : key) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

std::string quoted_list(const std::vector<std::string>& choices) {
  std::string text;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) text += i + 1 == choices.size() ? " or " : ", ";
    text += "\"" + choices[i] + "\"";
  }
  return text;
}

template <typename T>
Spec integer(const char* key, const char* flag, T ServeOptions::*field, std::uint64_t min,
             std::uint64_t max) {
  Spec s;
  std::string range = std::to_string(min) + "-" + std::to_string(max);
  s.names = {key, env_name(key), flag, "an integer " + range, range};
  s.kind = Kind::kInteger;
  s.min = min;
  s.max = max;
  s.get = [field](const ServeOptions& o) { return json(static_cast<std::uint64_t>(o.*field)); };
  s.set = [field](ServeOptions& o, const json& v) {
    o.*field = static_cast<T>(v.get<std::uint64_t>());
  };
  return s;
}

Spec text(const char* key, const char* flag, std::string ServeOptions::*field, bool non_empty) {
  Spec s;
  s.names = {key, env_name(key), flag, non_empty ? "a non-empty string" : "a string", ""};
  s.kind = Kind::kText;
  s.non_empty = non_empty;
  s.get = [field](const ServeOptions& o) { return json(o.*field); };
  s.set = [field](ServeOptions& o, const json& v) { o.*field = v.get<std::string>(); };
  return s;
}

Spec choice(const char* key, const char* flag, std::string ServeOptions::*field,
            std::vector<std::string> choices) {
  Spec s = text(key, flag, field, true);
  s.kind = Kind::kChoice;
  s.names.rule = "one of " + quoted_list(choices);
  s.choices = std::move(choices);
  return s;
}

Spec storage_text(const char* key, const char* flag, std::string StorageOptions::*field,
                  bool non_empty) {
  Spec s;
  s.names = {key, env_name(key), flag, non_empty ? "a non-empty string" : "a string", ""};
  s.kind = Kind::kText;
  s.non_empty = non_empty;
  s.get = [field](const ServeOptions& o) { return json(o.storage.*field); };
  s.set = [field](ServeOptions& o, const json& v) { o.storage.*field = v.get<std::string>(); };
  return s;
}

// The rate limit as JSON: "manifest", "off" or {"requests": N, "window_seconds": S}.
json rate_limit_json(const std::string& text) {
  auto parsed = parse_rate_limit(text);
  if (!parsed || parsed->mode == RateLimitOverride::Mode::kManifest) return "manifest";
  if (parsed->mode == RateLimitOverride::Mode::kOff) return "off";
  return json{{"requests", parsed->requests}, {"window_seconds", parsed->window_seconds}};
}

Spec rate_limit_spec() {
  Spec s;
  s.names = {"rate_limit", "RCHOST_RATE_LIMIT", "--rate-limit",
             "\"manifest\", \"off\", \"<requests>/<window_seconds>\" or {\"requests\": N, "
             "\"window_seconds\": S} (requests 1-1000000, window 1-86400 s)",
             ""};
  s.kind = Kind::kRateLimit;
  s.get = [](const ServeOptions& o) { return rate_limit_json(o.rate_limit); };
  s.set = [](ServeOptions& o, const json& v) {
    if (v.is_string()) {
      o.rate_limit = v.get<std::string>();
    } else {
      o.rate_limit = std::to_string(v["requests"].get<std::uint64_t>()) + "/" +
                     std::to_string(v["window_seconds"].get<std::uint64_t>());
    }
  };
  return s;
}

const std::vector<Spec>& specs() {
  static const std::vector<Spec> table = [] {
    std::vector<Spec> t;
    t.push_back(text("address", "--address", &ServeOptions::address, true));
    t.push_back(integer("port", "--port", &ServeOptions::port, 0, 65535));
    t.push_back(integer("threads", "--threads", &ServeOptions::threads, 0, 256));
    t.push_back(integer("workers", "--workers", &ServeOptions::workers, 0, 1024));
    t.push_back(storage_text("data_dir", "--data", &StorageOptions::data_dir, true));
    Spec storage = storage_text("storage_url", "--storage", &StorageOptions::storage_url, false);
    storage.secret_url = true;
    t.push_back(std::move(storage));
    t.push_back(text("plugins_dir", "--plugins", &ServeOptions::plugins_dir, false));
    t.push_back(integer("body_limit", "--body-limit", &ServeOptions::body_limit, 1, 64 << 20));
    t.push_back(
        integer("header_limit", "--header-limit", &ServeOptions::header_limit, 512, 1 << 20));
    t.push_back(
        integer("idle_timeout_seconds", "--idle-timeout", &ServeOptions::idle_timeout_s, 1, 3600));
    t.push_back(
        integer("read_timeout_seconds", "--read-timeout", &ServeOptions::read_timeout_s, 1, 3600));
    t.push_back(integer("max_connections", "--max-connections", &ServeOptions::max_connections, 1,
                        1'000'000));
    t.push_back(integer("cache_ttl_ms", "--cache-ttl-ms", &ServeOptions::cache_ttl_ms, 0, 1000));
    t.push_back(rate_limit_spec());
    t.push_back(choice("log_level", "--log-level", &ServeOptions::log_level,
                       {"trace", "debug", "info", "warn", "error", "critical", "off"}));
    t.push_back(choice("log_format", "--log-format", &ServeOptions::log_format, {"text", "json"}));
    return t;
  }();
  return table;
}

// ---- Host settings under "settings" ----

bool valid_setting_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || std::isdigit(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

bool positive_number_text(const std::string& text, double max, bool integer_only) {
  if (text.empty()) return false;
  if (integer_only) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    return ec == std::errc() && end == text.data() + text.size() && n >= 1 && n <= max;
  }
  double d = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  return ec == std::errc() && end == text.data() + text.size() && d > 0 && d <= max;
}

// The environment text of a host setting's config value, or an error ("must be ...").
std::optional<std::string> setting_text(const std::string& name, const json& v,
                                        std::string& error) {
  std::string value;
  if (v.is_string()) {
    value = v.get<std::string>();
  } else if (v.is_number_integer() || v.is_number_float()) {
    value = v.dump();
  } else if (v.is_boolean()) {
    value = v.get<bool>() ? "true" : "false";
  } else if (v.is_array() &&
             std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_string(); })) {
    value = v.dump();  // string-array settings are read as JSON text
  } else {
    error = "must be a string, a number, a boolean or an array of strings";
    return std::nullopt;
  }
  if (value.find('\0') != std::string::npos) {
    error = "must not contain a NUL character";
    return std::nullopt;
  }
  if (name == "Accounts_LoginExpiration" && !value.empty() &&
      !positive_number_text(value, 36500, false)) {
    error = "must be a number of days above 0, at most 36500";
    return std::nullopt;
  }
  if (name == "MAX_RESUME_LOGIN_TOKENS" && !value.empty() &&
      !positive_number_text(value, 1'000'000, true)) {
    error = "must be an integer 1-1000000";
    return std::nullopt;
  }
  return value;
}

// ---- Validation of one value, from any source ----

std::optional<std::string> check(const Spec& spec, const json& v) {
  const std::string must = "must be " + spec.names.rule;
  switch (spec.kind) {
    case Kind::kInteger: {
      if (!v.is_number_integer()) return must;
      if (v.is_number_unsigned()) {
        auto n = v.get<std::uint64_t>();
        if (n < spec.min || n > spec.max) return must;
        return std::nullopt;
      }
      auto n = v.get<std::int64_t>();
      if (n < 0 || static_cast<std::uint64_t>(n) < spec.min ||
          static_cast<std::uint64_t>(n) > spec.max) {
        return must;
      }
      return std::nullopt;
    }
    case Kind::kText:
      if (!v.is_string() || (spec.non_empty && v.get<std::string>().empty())) return must;
      if (v.get<std::string>().find('\0') != std::string::npos) return must;
      return std::nullopt;
    case Kind::kChoice:
      if (!v.is_string() || std::find(spec.choices.begin(), spec.choices.end(),
                                      v.get<std::string>()) == spec.choices.end()) {
        return must;
      }
      return std::nullopt;
    case Kind::kRateLimit:
      if (v.is_string()) {
        auto parsed = parse_rate_limit(v.get<std::string>());
        // In a file the object form is the documented one, but "N/S" is accepted too.
        if (!parsed) return must;
        return std::nullopt;
      }
      return must;  // objects are checked field by field before this
  }
  return must;
}

// A rate limit object from a config file: exact fields, each in range. Names the field.
hostsdk::Status check_rate_limit_object(const json& v, const std::string& where) {
  for (const auto& [field, value] : v.items()) {
    if (field != "requests" && field != "window_seconds") {
      return hostsdk::Status::Invalid(where + "\"rate_limit." + field +
                                      "\": unknown setting (known: requests, window_seconds)");
    }
  }
  for (const char* field : {"requests", "window_seconds"}) {
    std::uint64_t max = std::string(field) == "requests" ? kMaxRateRequests : kMaxRateWindow;
    std::string rule = "must be an integer 1-" + std::to_string(max);
    if (!v.contains(field)) {
      return hostsdk::Status::Invalid(where + "\"rate_limit." + field + "\": missing; " + rule);
    }
    const json& n = v[field];
    if (!n.is_number_unsigned() || n.get<std::uint64_t>() < 1 || n.get<std::uint64_t>() > max) {
      return hostsdk::Status::Invalid(where + "\"rate_limit." + field + "\": " + rule);
    }
  }
  return hostsdk::Status::Ok();
}

// A flag or environment value as JSON of the setting's kind; nullopt: not of that kind.
std::optional<json> from_text(const Spec& spec, const std::string& text) {
  if (spec.kind != Kind::kInteger) return json(text);
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return json(n);
}

std::string known_keys() {
  std::string keys;
  for (const auto& spec : specs()) keys += spec.names.key + ", ";
  return keys + "settings";
}

hostsdk::Status apply_file(const std::string& path, ServeConfig& config) {
  const std::string where = "config " + path + ": ";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return hostsdk::Status::Invalid(where + "cannot read: " + std::strerror(errno));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  json doc;
  try {
    // Comments (// and /* */) are allowed, so the shipped file can document itself.
    doc = json::parse(buffer.str(), nullptr, true, true);
  } catch (const json::parse_error& e) {
    return hostsdk::Status::Invalid(where + "not valid JSON: " + e.what());
  }
  if (!doc.is_object()) return hostsdk::Status::Invalid(where + "must be a JSON object");

  for (const auto& [key, value] : doc.items()) {
    if (key == "settings") continue;
    auto spec = std::find_if(specs().begin(), specs().end(),
                             [&](const Spec& s) { return s.names.key == key; });
    if (spec == specs().end()) {
      return hostsdk::Status::Invalid(where + "\"" + key +
                                      "\": unknown setting (known: " + known_keys() + ")");
    }
    if (spec->kind == Kind::kRateLimit && value.is_object()) {
      if (Status s = check_rate_limit_object(value, where); !s.ok()) return s;
    } else if (auto error = check(*spec, value)) {
      return hostsdk::Status::Invalid(where + "\"" + key + "\": " + *error);
    }
    spec->set(config.options, value);
    config.origins[key] = {ConfigSource::kConfigFile, path};
  }

  if (doc.contains("settings")) {
    const json& settings = doc["settings"];
    if (!settings.is_object()) {
      return hostsdk::Status::Invalid(where +
                                      "\"settings\": must be an object of setting name: value");
    }
    for (const auto& [name, value] : settings.items()) {
      const std::string at = where + "\"settings." + name + "\": ";
      if (!valid_setting_name(name)) {
        return hostsdk::Status::Invalid(at + "not a setting name (letters, digits, _ . -)");
      }
      std::string error;
      auto text_value = setting_text(name, value, error);
      if (!text_value) return hostsdk::Status::Invalid(at + error);
      // "" means not set: it must not hide a plugin manifest's default.
      if (text_value->empty()) continue;
      config.options.setting_defaults[name] = *text_value;
    }
  }
  config.config_file = path;
  config.options.config_file = path;
  return hostsdk::Status::Ok();
}

std::string redact_url(const std::string& url) {
  std::string out = url;
  // scheme://user:password@host
  if (auto scheme = out.find("://"); scheme != std::string::npos) {
    auto at = out.find('@', scheme + 3);
    auto colon = out.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // ...?password=secret&...
  for (std::size_t at = out.find("password="); at != std::string::npos;
       at = out.find("password=", at + 1)) {
    std::size_t start = at + 9;
    std::size_t end = out.find_first_of("& ", start);
    out.replace(start, (end == std::string::npos ? out.size() : end) - start, "***");
  }
  return out;
}

const char* source_name(ConfigSource source) {
  switch (source) {
    case ConfigSource::kDefault:
      return "default";
    case ConfigSource::kConfigFile:
      return "config";
    case ConfigSource::kEnvironment:
      return "environment";
    case ConfigSource::kFlag:
      return "flag";
  }
  return "default";
}

// Host settings config show lists even when no config file sets them.
const std::vector<std::string>& well_known_settings() {
  static const std::vector<std::string> names = {
      "Accounts_LoginExpiration", "MAX_RESUME_LOGIN_TOKENS", "CREATE_TOKENS_FOR_USERS",
      "CREATE_TOKENS_FOR_USERS_SECRET"};
  return names;
}

}  // namespace

const std::vector<SettingKey>& serve_setting_keys() {
  static const std::vector<SettingKey> keys = [] {
    std::vector<SettingKey> k;
    for (const auto& spec : specs()) k.push_back(spec.names);
    return k;
  }();
  return keys;
}

EnvironmentLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::optional<RateLimitOverride> parse_rate_limit(std::string_view text) {
  RateLimitOverride r;
  if (text == "manifest") return r;
  if (text == "off") {
    r.mode = RateLimitOverride::Mode::kOff;
    return r;
  }
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto number = [](std::string_view t, std::uint32_t max, std::uint32_t& out) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || n < 1 || n > max) {
      return false;
    }
    out = static_cast<std::uint32_t>(n);
    return true;
  };
  if (!number(text.substr(0, slash), kMaxRateRequests, r.requests) ||
      !number(text.substr(slash + 1), kMaxRateWindow, r.window_seconds)) {
    return std::nullopt;
  }
  r.mode = RateLimitOverride::Mode::kFixed;
  return r;
}

hostsdk::Result<ServeConfig> resolve_serve_config(const ServeOptions& flags,
                                                  const std::set<std::string>& given_flags,
                                                  const std::string& config_flag,
                                                  const EnvironmentLookup& environment) {
  ServeConfig config;  // built-in defaults
  // Serve's flag-only options (not settings) come straight from the command line.
  config.options.test_clock = flags.test_clock;
  for (const auto& spec : specs()) config.origins[spec.names.key] = {};

  // 1. The config file: --config, else RCHOST_CONFIG.
  std::string path = config_flag;
  if (path.empty()) {
    if (auto from_env = environment("RCHOST_CONFIG"); from_env && !from_env->empty()) {
      path = *from_env;
    }
  }
  if (!path.empty()) {
    if (Status s = apply_file(path, config); !s.ok()) return s;
  }

  // 2. RCHOST_<KEY> environment variables.
  for (const auto& spec : specs()) {
    auto value = environment(spec.names.env);
    if (!value || value->empty()) continue;
    auto parsed = from_text(spec, *value);
    std::optional<std::string> error = parsed ? check(spec, *parsed) : "must be " + spec.names.rule;
    if (error) {
      return hostsdk::Status::Invalid("environment " + spec.names.env + ": " + *error);
    }
    spec.set(config.options, *parsed);
    config.origins[spec.names.key] = {ConfigSource::kEnvironment, spec.names.env};
  }

  // 3. Flags given on the command line.
  for (const auto& spec : specs()) {
    if (given_flags.count(spec.names.flag) == 0) continue;
    json value = spec.get(flags);
    if (spec.kind == Kind::kRateLimit) {
      value = json(flags.rate_limit);  // checked in its text form
    }
    if (auto error = check(spec, value)) {
      return hostsdk::Status::Invalid(spec.names.flag + ": " + *error);
    }
    spec.set(config.options, value);
    config.origins[spec.names.key] = {ConfigSource::kFlag, spec.names.flag};
  }
  return config;
}

bool is_storage_setting(std::string_view key) {
  return key == "data_dir" || key == "storage_url" || key == "plugins_dir";
}

hostsdk::Result<StorageConfig> resolve_storage_config(const StorageOptions& flags,
                                                      const std::string& plugins_flag,
                                                      const std::set<std::string>& given_flags,
                                                      const std::string& config_flag,
                                                      const EnvironmentLookup& environment) {
  ServeOptions serve_flags;
  serve_flags.storage = flags;
  serve_flags.plugins_dir = plugins_flag;
  std::set<std::string> given;
  for (const auto& spec : specs()) {
    if (is_storage_setting(spec.names.key) && given_flags.count(spec.names.flag) > 0) {
      given.insert(spec.names.flag);
    }
  }
  auto serve = resolve_serve_config(serve_flags, given, config_flag, environment);
  if (!serve.ok()) return serve.status();
  StorageConfig config;
  config.storage = serve->options.storage;
  config.storage.workspace = flags.workspace;
  config.plugins_dir = serve->options.plugins_dir;
  config.config_file = serve->config_file;
  return config;
}

void export_setting_defaults(const std::map<std::string, std::string>& settings) {
  for (const auto& [name, value] : settings) {
    // An empty environment value counts as unset, as for RCHOST_ variables.
    const char* current = std::getenv(name.c_str());
    if (current == nullptr || *current == '\0') ::setenv(name.c_str(), value.c_str(), 1);
  }
}

bool is_secret_setting(std::string_view name) {
  std::string upper;
  for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper.find("SECRET") != std::string::npos || upper.find("PASSWORD") != std::string::npos;
}

std::string render_config(const ServeConfig& config, bool as_json,
                          const EnvironmentLookup& environment) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  std::ostringstream lines;
  auto emit = [&](const std::string& key, const json& value, ConfigSource source,
                  const std::string& where) {
    std::string from = source_name(source);
    if (!where.empty()) from += " " + where;
    if (as_json) {
      out[key] = {{"value", value}, {"source", source_name(source)}};
      if (!where.empty()) out[key]["from"] = where;
    } else {
      std::string shown = value.is_string() ? value.get<std::string>()
                          : value.is_null() ? std::string("-")
                                            : value.dump();
      lines << key << "\t" << shown << "\t" << from << "\n";
    }
  };
  for (const auto& spec : specs()) {
    json value = spec.get(config.options);
    if (spec.secret_url) value = redact_url(value.get<std::string>());
    const ValueOrigin& origin = config.origins.at(spec.names.key);
    emit(spec.names.key, value, origin.source, origin.where);
  }
  std::set<std::string> names(well_known_settings().begin(), well_known_settings().end());
  for (const auto& [name, value] : config.options.setting_defaults) names.insert(name);
  for (const auto& name : names) {
    const std::string key = "settings." + name;
    auto from_env = environment(name);
    if (from_env && from_env->empty()) from_env.reset();
    auto in_file = config.options.setting_defaults.find(name);
    json value;
    ConfigSource source = ConfigSource::kDefault;
    std::string where;
    if (from_env) {
      value = *from_env;
      source = ConfigSource::kEnvironment;
      where = name;
    } else if (in_file != config.options.setting_defaults.end()) {
      value = in_file->second;
      source = ConfigSource::kConfigFile;
      where = config.config_file;
    } else {
      value = nullptr;  // the host's or the plugin manifest's default
    }
    if (is_secret_setting(name) && !value.is_null()) {
      value = value.get<std::string>().empty() ? "" : "<redacted>";
    }
    emit(key, value, source, where);
  }
  if (as_json) return out.dump() + "\n";
  return lines.str();
}

}  // namespace host::cli
