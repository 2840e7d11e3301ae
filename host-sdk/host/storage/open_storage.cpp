// open_storage: picks the backend from the URL scheme and parses its options.
// "sqlite:PATH[?busy_timeout_ms=N]" or a bare path; or "postgresql://...".
#include <charconv>
#include <string>

#include "storage/sqlite/sqlite_storage.h"
#include "storage/storage.h"
#include "storage/postgres/postgres_storage.h"

namespace host {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Applies "key=value&key=value" options to the SQLite backend.
Status parse_sqlite_options(std::string_view query, sqlite::SqliteOptions& options) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    auto eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (key == "busy_timeout_ms") {
      int ms = -1;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
      if (ec != std::errc() || end != value.data() + value.size() || ms < 0) {
        return Status::Invalid("busy_timeout_ms must be a non-negative integer");
      }
      options.busy_timeout_ms = ms;
    } else {
      return Status::Invalid("unknown sqlite option '" + std::string(key) + "'");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Storage>> open_storage(std::string_view url) {
  if (starts_with(url, "postgres:") || starts_with(url, "postgresql:")) {
    return open_postgres_storage(url);
  }
  std::string_view rest = starts_with(url, "sqlite:") ? url.substr(7) : url;
  // "sqlite:///abs/path" is accepted like "sqlite:/abs/path".
  if (starts_with(rest, "//")) rest.remove_prefix(2);
  sqlite::SqliteOptions options;
  auto question = rest.find('?');
  if (question != std::string_view::npos) {
    Status status = parse_sqlite_options(rest.substr(question + 1), options);
    if (!status.ok()) return status;
    rest = rest.substr(0, question);
  }
  options.path = std::string(rest);
  return sqlite::open_sqlite_storage(options);
}

}  // namespace host
