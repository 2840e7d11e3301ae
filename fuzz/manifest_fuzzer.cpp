// libFuzzer target: host::loader::parse_manifest on arbitrary text. It must answer a Status
// (never throw or crash), and what it accepts must satisfy the documented shape.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "loader/manifest.h"

namespace {

bool valid_id(const std::string& id) {
  const auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  };
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), ok) && id[0] != '.' &&
         id[0] != '_' && id[0] != '-';
}

// ^(/[A-Za-z0-9._~-]+)+$ spelled out: '/'-separated, non-empty segments of those characters.
bool valid_path(const std::string& path) {
  if (path.empty() || path[0] != '/') return false;
  std::size_t segment = 0;
  for (std::size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (segment == 0) return false;
      segment = 0;
      continue;
    }
    const char c = path[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '~' || c == '-';
    if (!ok) return false;
    ++segment;
  }
  return true;
}

void check_accepted(const host::loader::Manifest& m) {
  FUZZ_CHECK(m.manifest_version == 1, std::to_string(m.manifest_version));
  FUZZ_CHECK(valid_id(m.id), "id " + m.id);
  FUZZ_CHECK(!m.name.empty() && !m.version.empty() && !m.library.empty(), m.id);
  FUZZ_CHECK(m.library.find('/') == std::string::npos && m.library != "." && m.library != "..",
             m.library);
  FUZZ_CHECK(m.host_api_major >= 0 && m.host_api_min_minor >= 0, m.id);
  for (const auto& r : m.routes) {
    static const std::string_view kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    FUZZ_CHECK(std::find(std::begin(kMethods), std::end(kMethods), r.method) != std::end(kMethods),
               r.method);
    FUZZ_CHECK(valid_path(r.path), "path " + r.path);
    FUZZ_CHECK(r.rate_limit.requests >= 1 && r.rate_limit.window_seconds >= 1, r.path);
  }
  for (const auto& p : m.permissions) {
    FUZZ_CHECK(!p.id.empty(), "permission without id");
    for (const auto& role : p.default_roles) FUZZ_CHECK(!role.empty(), p.id);
  }
  for (const auto& s : m.settings) FUZZ_CHECK(!s.name.empty() && !s.type.empty(), s.name);
  const auto& known = host::loader::known_services();
  for (const auto& name : m.required_services)
    FUZZ_CHECK(std::find(known.begin(), known.end(), name) != known.end(), name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = host::loader::parse_manifest(text);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == hostsdk::StatusCode::kInvalidArgument,
               parsed.status().message());
    FUZZ_CHECK(!parsed.status().message().empty(), "refusal without a message");
    return 0;
  }
  check_accepted(parsed.value());
  // Deterministic: the same text gives the same manifest.
  const auto again = host::loader::parse_manifest(text);
  FUZZ_CHECK(again.ok() && again->id == parsed->id && again->routes.size() == parsed->routes.size(),
             "second parse differs");
  return 0;
}
