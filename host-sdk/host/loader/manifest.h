// A plugin's manifest.json as the host reads it before any plugin code runs.
// Parsing checks shape and types only; compatibility with this host is the loader's job.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "hostsdk/status.h"

namespace host::loader {

struct ManifestRateLimit {
  std::uint32_t requests = 10;
  std::uint32_t window_seconds = 60;
};

struct ManifestRoute {
  std::string method;      // upper case, e.g. "POST"
  std::string path;        // starts with '/'
  std::string permission;  // informative: the permission the handler checks, may be empty
  ManifestRateLimit rate_limit;
};

struct ManifestPermission {
  std::string id;
  std::vector<std::string> default_roles;
};

struct ManifestSetting {
  std::string name;
  std::string type;          // "string", "string-array", "boolean", "integer", "number"
  std::string default_text;  // strings as is, everything else as JSON text
  std::string description;
};

struct Manifest {
  int manifest_version = 0;
  std::string id;
  std::string name;
  std::string version;
  std::string description;
  int host_api_major = 0;
  int host_api_min_minor = 0;
  std::string library;  // file name inside the plugin's directory
  std::vector<ManifestRoute> routes;
  std::vector<ManifestPermission> permissions;
  std::vector<ManifestSetting> settings;
  std::vector<std::string> required_services;  // "requires" in the file
};

// Services a manifest may list under "requires": what hostsdk::Host offers.
const std::vector<std::string>& known_services();

// kInvalidArgument with a message naming the offending field.
hostsdk::Result<Manifest> parse_manifest(std::string_view json_text);
// kNotFound when the file is missing, else as parse_manifest.
hostsdk::Result<Manifest> read_manifest(const std::filesystem::path& file);

}  // namespace host::loader
