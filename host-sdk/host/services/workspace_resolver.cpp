// Host header normalisation and lookup of the host-to-workspace mapping.
// A storage failure is reported, never silently answered with the default workspace.
#include "services/workspace_resolver.h"

namespace host {

std::string normalize_host(std::string_view host_header) {
  std::string_view host = host_header;
  while (!host.empty() && (host.front() == ' ' || host.front() == '\t')) host.remove_prefix(1);
  while (!host.empty() && (host.back() == ' ' || host.back() == '\t')) host.remove_suffix(1);
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');  // IPv6 literal: the port follows the bracket
    if (close != std::string_view::npos) host = host.substr(0, close + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);  // fully qualified form
  std::string lower(host);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

Result<std::string> WorkspaceResolver::resolve(std::string_view host_header) {
  std::string host = normalize_host(host_header);
  if (host.empty()) return default_workspace_;
  auto mapped = storage_.workspace_for_host(host);
  if (mapped.ok()) return mapped;
  if (mapped.status().code() == hostsdk::StatusCode::kNotFound) return default_workspace_;
  return mapped.status();
}

}  // namespace host
