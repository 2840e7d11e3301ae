// Exact-path route table.
// Rocket.Chat routes have no path parameters, so a hash map on the path is enough.
#include "http/route_table.h"

namespace host::http {

bool RouteTable::add(Route route) {
  auto& routes = by_path_[route.path];
  for (const auto& r : routes) {
    if (r.method == route.method) return false;
  }
  routes.push_back(std::move(route));
  return true;
}

const std::vector<Route>* RouteTable::find(std::string_view path) const {
  auto it = by_path_.find(path);
  return it == by_path_.end() ? nullptr : &it->second;
}

std::vector<std::pair<std::string, std::string>> RouteTable::keys() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [path, routes] : by_path_) {
    for (const auto& r : routes) out.emplace_back(r.method, path);
  }
  return out;
}

std::string action_of(std::string_view path) {
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace host::http
