// SQLite backend specifics: URL forms, file and directory modes, WAL mode, reopening,
// schema versioning, and SQLITE_BUSY reported as kUnavailable.
#include <sqlite3.h>
#include <sys/stat.h>

#include <doctest/doctest.h>

#include "storage/sqlite/schema.h"
#include "support/temp_dir.h"
#include "support/test_records.h"

using namespace rct_test;

namespace {

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

// A second, raw connection, as another process would have.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  int exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }
  std::string text(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) == SQLITE_OK);
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

TEST_CASE("sqlite: URL forms") {
  TempDir dir;
  CHECK(host::open_storage("sqlite:" + dir.file("a.db")).ok());
  CHECK(host::open_storage(dir.file("b.db")).ok());
  CHECK(host::open_storage("sqlite://" + dir.file("c.db")).ok());
  CHECK(host::open_storage("sqlite:" + dir.file("d.db") + "?busy_timeout_ms=10").ok());
  CHECK(host::open_storage("sqlite:" + dir.file("e.db") + "?nonsense=1").status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(host::open_storage("sqlite:").status().code() == StatusCode::kInvalidArgument);
  // Not taken for a file name: it goes to the PostgreSQL backend, which finds no server.
  CHECK(host::open_storage("postgresql://127.0.0.1:1/db").status().code() ==
        StatusCode::kUnavailable);
}

TEST_CASE("sqlite: a new file is 0600 in new directories 0700; existing modes are kept") {
  TempDir dir;
  std::string path = dir.file("x/y/host.db");
  auto opened = host::open_storage("sqlite:" + path);
  REQUIRE(opened.ok());
  REQUIRE(opened.value()->add_workspace("w").ok());
  CHECK(mode_of(dir.file("x")) == 0700);
  CHECK(mode_of(dir.file("x/y")) == 0700);
  CHECK(mode_of(path) == 0600);
  CHECK(mode_of(path + "-wal") == 0600);  // SQLite copies the database file's mode
  CHECK(mode_of(path + "-shm") == 0600);

  std::string existing = dir.file("existing.db");
  { std::ofstream touch(existing); }
  ::chmod(existing.c_str(), 0640);
  REQUIRE(host::open_storage(existing).ok());
  CHECK(mode_of(existing) == 0640);
}

TEST_CASE("sqlite: WAL mode, schema version, data survives reopening") {
  TempDir dir;
  std::string path = dir.file("host.db");
  {
    auto opened = host::open_storage(path);
    REQUIRE(opened.ok());
    REQUIRE(opened.value()->add_workspace("w").ok());
    REQUIRE(opened.value()->add_user(make_user("w", "id1", "alice")).ok());
  }
  {
    RawDb raw(path);
    CHECK(raw.text("PRAGMA journal_mode") == "wal");
    CHECK(raw.text("PRAGMA user_version") == std::to_string(host::sqlite::latest_schema_version()));
  }
  auto reopened = host::open_storage(path);
  REQUIRE(reopened.ok());
  CHECK(reopened.value()->find_user_by_username("w", "ALICE")->id == "id1");
}

TEST_CASE("sqlite: a database from a newer host is refused") {
  TempDir dir;
  std::string path = dir.file("host.db");
  REQUIRE(host::open_storage(path).ok());
  RawDb(path).exec("PRAGMA user_version=999");
  auto opened = host::open_storage(path);
  CHECK(opened.status().code() == StatusCode::kUnavailable);
  CHECK(opened.status().message().find("newer") != std::string::npos);
}

TEST_CASE("sqlite: a write lock held elsewhere past the busy timeout gives kUnavailable") {
  TempDir dir;
  std::string path = dir.file("host.db");
  auto opened = host::open_storage("sqlite:" + path + "?busy_timeout_ms=50");
  REQUIRE(opened.ok());
  auto& s = *opened.value();
  REQUIRE(s.add_workspace("w").ok());

  RawDb other(path);
  REQUIRE(other.exec("BEGIN IMMEDIATE") == SQLITE_OK);
  CHECK(s.add_workspace("blocked").code() == StatusCode::kUnavailable);
  CHECK(s.list_workspaces().ok());  // WAL readers are not blocked by a writer
  REQUIRE(other.exec("COMMIT") == SQLITE_OK);
  CHECK(s.add_workspace("blocked").ok());
}

TEST_CASE("sqlite: a path that cannot be a database gives kUnavailable") {
  TempDir dir;
  CHECK(host::open_storage(dir.path().string()).status().code() == StatusCode::kUnavailable);
  std::string junk = dir.file("junk.db");
  {
    std::ofstream out(junk);
    out << std::string(4096, 'x');
  }
  CHECK(host::open_storage(junk).status().code() == StatusCode::kUnavailable);
}
