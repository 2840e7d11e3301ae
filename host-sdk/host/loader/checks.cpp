// Implements the loader's comparisons; each failed one becomes a Refusal naming both sides.
// Pure functions over data, so tests can feed them hand-made descriptors and manifests.
#include "loader/checks.h"

#include <algorithm>
#include <cstring>

#include "hostsdk/fingerprint.h"
#include "hostsdk/version.h"

namespace host::loader {
namespace {

std::string text_or_null(const char* s) {
  if (s == nullptr) return "(null)";
  // Bounded: a corrupt descriptor must not make us read without end.
  return std::string(s, strnlen(s, 512));
}

std::string join(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return "[" + out + "]";
}

std::string route_text(const std::string& method, const std::string& path) {
  return method + " " + path;
}

std::string permission_text(const std::string& id, std::vector<std::string> roles) {
  std::sort(roles.begin(), roles.end());
  std::string out = id + " {";
  for (std::size_t i = 0; i < roles.size(); ++i) out += (i ? "," : "") + roles[i];
  return out + "}";
}

constexpr const char* kRebuild =
    "rebuild the plugin against this host's SDK headers with the same compiler and standard "
    "library";

}  // namespace

std::optional<Refusal> check_host_api(const Manifest& m) {
  if (m.host_api_major != HOSTSDK_API_MAJOR) {
    return Refusal{
        "manifest.host_api.major", std::to_string(m.host_api_major),
        std::to_string(HOSTSDK_API_MAJOR),
        "use a plugin release built for host API major " + std::to_string(HOSTSDK_API_MAJOR)};
  }
  if (m.host_api_min_minor > HOSTSDK_API_MINOR) {
    return Refusal{"manifest.host_api.min_minor", std::to_string(m.host_api_min_minor),
                   "<= " + std::to_string(HOSTSDK_API_MINOR),
                   "upgrade the host, or use an older plugin release"};
  }
  return std::nullopt;
}

std::optional<Refusal> check_descriptor(const hostsdk_descriptor* d, const Manifest& m) {
  if (d == nullptr) {
    return Refusal{"descriptor", "null descriptor", "a descriptor",
                   "declare the plugin with HOSTSDK_DECLARE_PLUGIN"};
  }
  if (d->magic != HOSTSDK_MAGIC) {
    return Refusal{"descriptor.magic", std::to_string(d->magic), std::to_string(HOSTSDK_MAGIC),
                   "the exported symbol is not a host SDK descriptor; declare the plugin with "
                   "HOSTSDK_DECLARE_PLUGIN"};
  }
  if (d->struct_size != sizeof(hostsdk_descriptor)) {
    return Refusal{"descriptor.struct_size", std::to_string(d->struct_size),
                   std::to_string(sizeof(hostsdk_descriptor)), kRebuild};
  }
  if (d->api_major != HOSTSDK_API_MAJOR) {
    return Refusal{"descriptor.api_major", std::to_string(d->api_major),
                   std::to_string(HOSTSDK_API_MAJOR), kRebuild};
  }
  if (d->api_minor > HOSTSDK_API_MINOR) {
    return Refusal{"descriptor.api_minor", std::to_string(d->api_minor),
                   "<= " + std::to_string(HOSTSDK_API_MINOR),
                   "upgrade the host, or rebuild the plugin against this host's SDK"};
  }
  if (d->build_fingerprint == nullptr ||
      std::strcmp(d->build_fingerprint, hostsdk::kBuildFingerprint.text) != 0) {
    return Refusal{"descriptor.build_fingerprint", text_or_null(d->build_fingerprint),
                   hostsdk::kBuildFingerprint.text, kRebuild};
  }
  if (d->plugin_id == nullptr || m.id != d->plugin_id) {
    return Refusal{"descriptor.plugin_id", text_or_null(d->plugin_id), m.id,
                   "make manifest.json \"id\" and HOSTSDK_DECLARE_PLUGIN's id the same"};
  }
  if (d->plugin_version == nullptr || m.version != d->plugin_version) {
    return Refusal{"descriptor.plugin_version", text_or_null(d->plugin_version), m.version,
                   "ship the manifest.json that was built with this library"};
  }
  if (d->create == nullptr || d->destroy == nullptr) {
    return Refusal{"descriptor.create_destroy", "null function pointer", "create and destroy",
                   "declare the plugin with HOSTSDK_DECLARE_PLUGIN"};
  }
  return std::nullopt;
}

std::optional<Refusal> check_registration(const Manifest& m,
                                          const std::vector<RegisteredRoute>& routes,
                                          const std::vector<RegisteredPermission>& permissions) {
  std::vector<std::string> declared_routes, registered_routes;
  for (const auto& r : m.routes) declared_routes.push_back(route_text(r.method, r.path));
  for (const auto& r : routes) registered_routes.push_back(route_text(r.method, r.path));
  std::sort(declared_routes.begin(), declared_routes.end());
  std::sort(registered_routes.begin(), registered_routes.end());
  if (declared_routes != registered_routes) {
    return Refusal{"registered routes", join(registered_routes),
                   join(declared_routes) + " (from manifest.json)",
                   "make the routes registered in start() and manifest.json \"routes\" the same"};
  }

  std::vector<std::string> declared_perms, registered_perms;
  for (const auto& p : m.permissions) {
    declared_perms.push_back(permission_text(p.id, p.default_roles));
  }
  for (const auto& p : permissions) {
    registered_perms.push_back(permission_text(p.id, p.default_roles));
  }
  std::sort(declared_perms.begin(), declared_perms.end());
  std::sort(registered_perms.begin(), registered_perms.end());
  if (declared_perms != registered_perms) {
    return Refusal{"registered permissions", join(registered_perms),
                   join(declared_perms) + " (from manifest.json)",
                   "make the permissions registered in start() and manifest.json "
                   "\"permissions\" the same"};
  }
  return std::nullopt;
}

std::optional<Refusal> check_route_conflicts(const std::vector<RegisteredRoute>& routes,
                                             const std::set<RouteKey>& taken) {
  for (const auto& r : routes) {
    if (taken.count({r.method, r.path}) != 0) {
      return Refusal{"route ownership", route_text(r.method, r.path),
                     "a route no other plugin or built-in owns",
                     "remove one of the plugins claiming this route, or rename the route"};
    }
  }
  return std::nullopt;
}

}  // namespace host::loader
