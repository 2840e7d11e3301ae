// Connection strings: parses a postgres URL (or key=value string) with libpq and adds the
// host's defaults (connect timeout, statement timeout, durable commits).
#include "storage/postgres/pg_conninfo.h"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>

namespace host::pg {

Result<ConnParams> parse_conninfo(std::string_view url) {
  if (url.find('\0') != std::string_view::npos) return Status::Invalid("NUL in database URL");
  char* error = nullptr;
  const std::string text(url);
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(text.c_str(), &error), &PQconninfoFree);
  if (!options) {
    std::string why = error ? error : "out of memory";
    if (error) PQfreemem(error);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    // libpq quotes the URL, which may hold a password: never let it reach a log.
    const std::string mask = "<url>";
    for (auto at = why.find(text); !text.empty() && at != std::string::npos;
         at = why.find(text, at + mask.size())) {
      why.replace(at, text.size(), mask);
    }
    return Status::Invalid("bad PostgreSQL URL: " + why);
  }
  ConnParams params;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr && o->val[0] != '\0') params.emplace_back(o->keyword, o->val);
  }
  return params;
}

std::string format_conninfo(const ConnParams& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += ' ';
    out += key;
    out += "='";
    for (char c : value) {
      if (c == '\\' || c == '\'') out += '\\';
      out += c;
    }
    out += '\'';
  }
  return out;
}

void set_param(ConnParams& params, std::string_view key, std::string value) {
  auto it =
      std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.first == key; });
  if (it != params.end()) {
    it->second = std::move(value);
  } else {
    params.emplace_back(std::string(key), std::move(value));
  }
}

Result<std::string> build_conninfo(std::string_view url, const PostgresOptions& options) {
  auto parsed = parse_conninfo(url);
  if (!parsed.ok()) return parsed.status();
  ConnParams params = std::move(parsed).value();
  auto find = [&](std::string_view key) -> std::string {
    for (const auto& [k, v] : params) {
      if (k == key) return v;
    }
    return {};
  };
  auto set_default = [&](std::string_view key, std::string value) {
    if (find(key).empty()) set_param(params, key, std::move(value));
  };
  set_default("connect_timeout", std::to_string(options.connect_timeout.count()));
  set_default("application_name", "rct-host");
  // Over TCP, notice a dead peer in about a minute instead of the kernel's two hours.
  set_default("keepalives_idle", "30");
  set_default("keepalives_interval", "10");
  set_default("keepalives_count", "3");
  std::string server = "-c client_min_messages=warning -c statement_timeout=" +
                       std::to_string(options.statement_timeout.count());
  // A host that dies mid-transaction must not hold the user's lock for long.
  server += " -c idle_in_transaction_session_timeout=30000";
  if (const std::string own = find("options"); !own.empty()) server += " " + own;
  // Last, so no URL can turn it off: a token or audit row is on disk before the call returns.
  server += " -c synchronous_commit=on";
  set_param(params, "options", std::move(server));
  return format_conninfo(params);
}

}  // namespace host::pg
