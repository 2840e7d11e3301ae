// Parses and validates manifest.json into a Manifest.
// Every error names the JSON path of the field at fault so the plugin author can fix it.
#include "loader/manifest.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace host::loader {
namespace {

using nlohmann::json;

// Thrown inside this file only; turned into a Status at the boundary.
struct ManifestError {
  std::string message;
};

// Plain loops rather than std::regex: libstdc++'s regex recurses per character and a long
// path in a hostile manifest overflows the stack.
bool is_path_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '~' || c == '-';
}

// "/seg/seg": one or more '/'-led segments of path characters, none empty.
bool is_route_path(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.back() == '/') return false;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '/') {
      if (i + 1 < path.size() && path[i + 1] == '/') return false;
    } else if (!is_path_char(path[i])) {
      return false;
    }
  }
  return true;
}

// 1-64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit.
bool is_plugin_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= '0' && id[0] <= '9'))) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw ManifestError{where + ": " + what};
}

const json& member(const json& object, const std::string& where, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) fail(where + "." + key, "missing");
  return *it;
}

std::string string_field(const json& object, const std::string& where, const char* key,
                         bool required = true) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (required) fail(where + "." + key, "missing");
    return {};
  }
  if (!it->is_string()) fail(where + "." + key, "must be a string");
  std::string value = it->get<std::string>();
  if (required && value.empty()) fail(where + "." + key, "must not be empty");
  return value;
}

int int_field(const json& object, const std::string& where, const char* key, int min_value) {
  const json& value = member(object, where, key);
  if (!value.is_number_integer()) fail(where + "." + key, "must be an integer");
  auto n = value.get<std::int64_t>();
  if (n < min_value || n > 1'000'000'000) {
    fail(where + "." + key, "must be at least " + std::to_string(min_value));
  }
  return static_cast<int>(n);
}

std::vector<std::string> string_array(const json& value, const std::string& where) {
  if (!value.is_array()) fail(where, "must be an array of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string() || value[i].get<std::string>().empty()) {
      fail(where + "[" + std::to_string(i) + "]", "must be a non-empty string");
    }
    out.push_back(value[i].get<std::string>());
  }
  return out;
}

const json& array_field(const json& object, const std::string& where, const char* key) {
  const json& value = member(object, where, key);
  if (!value.is_array()) fail(where + "." + key, "must be an array");
  return value;
}

ManifestRoute parse_route(const json& value, const std::string& where) {
  if (!value.is_object()) fail(where, "must be an object");
  ManifestRoute route;
  route.method = string_field(value, where, "method");
  static const std::vector<std::string> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  if (std::find(kMethods.begin(), kMethods.end(), route.method) == kMethods.end()) {
    fail(where + ".method", "must be one of GET, POST, PUT, PATCH, DELETE (upper case)");
  }
  route.path = string_field(value, where, "path");
  if (!is_route_path(route.path)) {
    fail(where + ".path", "must be an absolute path such as /api/v1/name.method");
  }
  route.permission = string_field(value, where, "permission", false);
  if (auto it = value.find("rate_limit"); it != value.end()) {
    if (!it->is_object()) fail(where + ".rate_limit", "must be an object");
    route.rate_limit.requests =
        static_cast<std::uint32_t>(int_field(*it, where + ".rate_limit", "requests", 1));
    route.rate_limit.window_seconds =
        static_cast<std::uint32_t>(int_field(*it, where + ".rate_limit", "window_seconds", 1));
  }
  return route;
}

ManifestPermission parse_permission(const json& value, const std::string& where) {
  if (!value.is_object()) fail(where, "must be an object");
  ManifestPermission permission;
  permission.id = string_field(value, where, "id");
  permission.default_roles =
      string_array(member(value, where, "default_roles"), where + ".default_roles");
  return permission;
}

ManifestSetting parse_setting(const json& value, const std::string& where) {
  if (!value.is_object()) fail(where, "must be an object");
  ManifestSetting setting;
  setting.name = string_field(value, where, "name");
  setting.type = string_field(value, where, "type");
  setting.description = string_field(value, where, "description", false);
  const json& def = member(value, where, "default");
  bool type_ok = false;
  if (setting.type == "string") {
    type_ok = def.is_string();
  } else if (setting.type == "string-array") {
    type_ok = def.is_array() &&
              std::all_of(def.begin(), def.end(), [](const json& e) { return e.is_string(); });
  } else if (setting.type == "boolean") {
    type_ok = def.is_boolean();
  } else if (setting.type == "integer") {
    type_ok = def.is_number_integer();
  } else if (setting.type == "number") {
    type_ok = def.is_number();
  } else {
    fail(where + ".type", "must be one of string, string-array, boolean, integer, number");
  }
  if (!type_ok) fail(where + ".default", "does not match type \"" + setting.type + "\"");
  setting.default_text = def.is_string() ? def.get<std::string>() : def.dump();
  return setting;
}

Manifest parse_document(const json& doc) {
  if (!doc.is_object()) fail("manifest", "must be a JSON object");
  Manifest m;
  m.manifest_version = int_field(doc, "manifest", "manifest_version", 1);
  if (m.manifest_version != 1) fail("manifest.manifest_version", "must be 1");
  m.id = string_field(doc, "manifest", "id");
  if (!is_plugin_id(m.id)) {
    fail("manifest.id", "must be 1-64 characters of a-z, 0-9, '.', '_', '-'");
  }
  m.name = string_field(doc, "manifest", "name");
  m.version = string_field(doc, "manifest", "version");
  m.description = string_field(doc, "manifest", "description", false);

  const json& api = member(doc, "manifest", "host_api");
  if (!api.is_object()) fail("manifest.host_api", "must be an object");
  m.host_api_major = int_field(api, "manifest.host_api", "major", 0);
  m.host_api_min_minor = int_field(api, "manifest.host_api", "min_minor", 0);

  m.library = string_field(doc, "manifest", "library");
  if (m.library.find('/') != std::string::npos || m.library == "." || m.library == "..") {
    fail("manifest.library", "must be a file name inside the plugin's directory");
  }

  const json& routes = array_field(doc, "manifest", "routes");
  for (std::size_t i = 0; i < routes.size(); ++i) {
    m.routes.push_back(parse_route(routes[i], "manifest.routes[" + std::to_string(i) + "]"));
  }
  if (auto it = doc.find("permissions"); it != doc.end()) {
    const json& perms = array_field(doc, "manifest", "permissions");
    for (std::size_t i = 0; i < perms.size(); ++i) {
      m.permissions.push_back(
          parse_permission(perms[i], "manifest.permissions[" + std::to_string(i) + "]"));
    }
  }
  if (auto it = doc.find("settings"); it != doc.end()) {
    const json& settings = array_field(doc, "manifest", "settings");
    for (std::size_t i = 0; i < settings.size(); ++i) {
      m.settings.push_back(
          parse_setting(settings[i], "manifest.settings[" + std::to_string(i) + "]"));
    }
  }
  if (auto it = doc.find("requires"); it != doc.end()) {
    m.required_services = string_array(*it, "manifest.requires");
    for (const auto& name : m.required_services) {
      const auto& known = known_services();
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        fail("manifest.requires", "unknown service \"" + name + "\"");
      }
    }
  }
  return m;
}

}  // namespace

const std::vector<std::string>& known_services() {
  static const std::vector<std::string> kServices = {
      "users", "sessions", "authorization", "settings", "audit", "logger", "metrics"};
  return kServices;
}

hostsdk::Result<Manifest> parse_manifest(std::string_view json_text) {
  json doc = json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (doc.is_discarded()) return hostsdk::Status::Invalid("manifest: not valid JSON");
  try {
    return parse_document(doc);
  } catch (const ManifestError& e) {
    return hostsdk::Status::Invalid(e.message);
  } catch (const std::exception& e) {
    return hostsdk::Status::Invalid(std::string("manifest: ") + e.what());
  }
}

hostsdk::Result<Manifest> read_manifest(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return hostsdk::Status::NotFound(file.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_manifest(text.str());
}

}  // namespace host::loader
