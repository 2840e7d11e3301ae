// The loader's checks that need no loaded code: manifest against this host, descriptor
// against host and manifest, registrations against manifest, routes against routes taken.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "hostsdk/descriptor.h"
#include "loader/manifest.h"
#include "loader/recording_registry.h"
#include "loader/refusal.h"

namespace host::loader {

// (method, path)
using RouteKey = std::pair<std::string, std::string>;

std::optional<Refusal> check_host_api(const Manifest& manifest);
std::optional<Refusal> check_descriptor(const hostsdk_descriptor* descriptor,
                                        const Manifest& manifest);
std::optional<Refusal> check_registration(const Manifest& manifest,
                                          const std::vector<RegisteredRoute>& routes,
                                          const std::vector<RegisteredPermission>& permissions);
std::optional<Refusal> check_route_conflicts(const std::vector<RegisteredRoute>& routes,
                                             const std::set<RouteKey>& taken);

}  // namespace host::loader
