// Runs after every other e2e test (a ctest fixture cleanup): every token, password and shared
// secret those tests handled is searched for in everything the hosts wrote — their logs, the
// CLI's output, the error bodies the tests received, the audit rows — and tokens and
// passwords also in the raw database files, where only their hashes belong.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Secret {
  std::string kind;  // token, password, secret
  std::string value;
};

// Finds any of many secrets (each ≥ 8 bytes) in large texts: an index on the first 8 bytes,
// then a full compare on a hit.
class Matcher {
 public:
  explicit Matcher(const std::vector<Secret>& secrets) {
    for (const auto& s : secrets) by_prefix_[prefix(s.value.data())].push_back(&s);
  }
  // The first secret found in `text` whose kind is in `kinds`, or nullptr.
  const Secret* find(std::string_view text, const std::set<std::string>& kinds) const {
    for (std::size_t i = 0; i + 8 <= text.size(); ++i) {
      auto it = by_prefix_.find(prefix(text.data() + i));
      if (it == by_prefix_.end()) continue;
      for (const Secret* s : it->second) {
        if (kinds.count(s->kind) != 0 && text.compare(i, s->value.size(), s->value) == 0) {
          return s;
        }
      }
    }
    return nullptr;
  }

 private:
  static std::uint64_t prefix(const char* p) {
    std::uint64_t v = 0;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  std::unordered_map<std::uint64_t, std::vector<const Secret*>> by_prefix_;
};

// Every column of every audit row, as text.
std::string audit_rows(const fs::path& db_file) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT * FROM audit", -1, &st, nullptr) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); ++c) {
          const auto* text = sqlite3_column_text(st, c);
          if (text != nullptr) out.append(reinterpret_cast<const char*>(text)) += '\t';
        }
        out += '\n';
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

const std::set<std::string> kEverything = {"token", "password", "secret"};
// The database holds the shared secret as a workspace setting, by design; never the others.
const std::set<std::string> kTokensAndPasswords = {"token", "password"};

}  // namespace

TEST_CASE("the matcher finds a secret anywhere in a text, and only secrets of the kinds asked") {
  std::vector<Secret> secrets = {{"token", "AbCdEfGh_ijklmnop-0123456789abcdefghijklmn"},
                                 {"secret", "Shared-Secret-x1"}};
  Matcher m(secrets);
  CHECK(m.find("log line ... AbCdEfGh_ijklmnop-0123456789abcdefghijklmn!", kEverything) != nullptr);
  CHECK(m.find("AbCdEfGh_ijklmnop-0123456789abcdefghijklm", kEverything) == nullptr);
  CHECK(m.find("x Shared-Secret-x1", kEverything) != nullptr);
  CHECK(m.find("x Shared-Secret-x1", kTokensAndPasswords) == nullptr);
}

TEST_CASE("no token, password or secret handled by any e2e test was written by a host") {
  const char* dir_env = std::getenv("RCT_SECRET_SCAN_DIR");
  REQUIRE_MESSAGE(dir_env != nullptr, "run through ctest: RCT_SECRET_SCAN_DIR is not set");
  fs::path dir = dir_env;
  REQUIRE(fs::is_directory(dir));

  std::vector<Secret> secrets;
  std::string error_bodies;
  std::map<std::string, int> recorded;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("secrets-", 0) == 0) {
      std::istringstream lines(read_file(entry.path()));
      for (std::string line; std::getline(lines, line);) {
        auto tab = line.find('\t');
        if (tab == std::string::npos) continue;
        secrets.push_back({line.substr(0, tab), line.substr(tab + 1)});
        ++recorded[secrets.back().kind];
      }
    } else if (name.rfind("error-bodies-", 0) == 0) {
      error_bodies += read_file(entry.path());
    }
  }
  // Any run of e2e tests mints tokens and logs in: nothing recorded means the recording
  // broke, not that the hosts are clean.
  REQUIRE(recorded["token"] >= 1);
  REQUIRE(recorded["password"] >= 1);
  MESSAGE("scanning for ", recorded["token"], " tokens, ", recorded["password"], " passwords, ",
          recorded["secret"], " secrets");
  Matcher matcher(secrets);

  auto check_clean = [&](const std::string& where, std::string_view text,
                         const std::set<std::string>& kinds) {
    const Secret* found = matcher.find(text, kinds);
    // Name the kind and place only: the value itself must not reach the test log either.
    CHECK_MESSAGE(found == nullptr, "a ", (found ? found->kind : ""), " was written to ", where);
  };
  check_clean("an error body", error_bodies, kEverything);

  int host_logs = 0;
  for (const auto& entry : fs::directory_iterator(dir / "artifacts")) {
    const fs::path& a = entry.path();
    for (const char* text_file : {"host.log", "out", "err"}) {
      if (!fs::exists(a / text_file)) continue;
      host_logs += std::string(text_file) == "host.log";
      check_clean((a / text_file).string(), read_file(a / text_file), kEverything);
    }
    if (fs::exists(a / "host.db")) {
      check_clean((a / "host.db").string() + " (audit rows)", audit_rows(a / "host.db"),
                  kEverything);
      std::string bytes;
      for (const char* db_file : {"host.db", "host.db-wal", "host.db-shm"}) {
        if (fs::exists(a / db_file)) bytes += read_file(a / db_file);
      }
      check_clean((a / "host.db").string() + " (raw bytes)", bytes, kTokensAndPasswords);
    }
  }
  REQUIRE(host_logs >= 1);
}
