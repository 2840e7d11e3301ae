// The mint-and-kill cycle and the checks after it, over a backend's query function and CLI.
#include "crash_harness.h"

#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>

#include "http_client.h"

namespace rct::crash {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The first lines of a host log that are warnings or errors.
std::string problems(const std::string& log) {
  std::string out;
  std::size_t start = 0, lines = 0;
  while (start < log.size() && lines < 20) {
    std::size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    const std::string line = log.substr(start, end - start);
    if (line.find("warn") != std::string::npos || line.find("error") != std::string::npos) {
      out += line + "\n";
      ++lines;
    }
    start = end + 1;
  }
  return out;
}

// One client: a keep-alive connection minting for random targets until told to stop; what
// it got a whole 200 for goes to `out`. A connection that fails (the host was killed) is
// replaced until `stop`.
void mint_loop(unsigned short port, const Workspace& ws, unsigned seed, std::atomic<bool>& stop,
               std::vector<Minted>& out, std::vector<std::string>& unexpected) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pick(1, ws.targets);
  const HeaderList headers = auth_headers(ws.host, ws.admin);
  while (!stop) {
    HttpConnection c(port, 10s);
    if (!c.connected()) {
      std::this_thread::sleep_for(5ms);
      continue;
    }
    while (!stop) {
      const std::string body = json{{"username", ws.prefix + std::to_string(pick(rng))}}.dump();
      const std::int64_t sent = now_ms();
      HttpResult r = c.request("POST", "/api/v1/users.createToken", body, headers);
      if (r.status == 0) break;  // no whole answer: the host died, or the connection did
      json j = r.json();
      if (r.status == 200 && j.is_object() && j["data"].is_object()) {
        out.push_back({&ws, j["data"].value("userId", ""), j["data"].value("authToken", ""), sent});
      } else if (unexpected.size() < 5) {
        unexpected.push_back(std::to_string(r.status) + " " + r.body);
      }
    }
  }
}

}  // namespace

std::string sql_quote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

CrashHarness::CrashHarness(HostProcess& host, Backend backend, Plan plan)
    : host_(host),
      backend_(std::move(backend)),
      plan_(std::move(plan)),
      open_ws_{"default", "localhost", {}, "t", plan_.targets},
      capped_ws_{"capped", "capped.test", {}, "c", plan_.capped_targets} {
  const auto& cli = backend_.cli;
  cli({"workspace", "add", "capped", "--host", "capped.test"});
  for (Workspace* ws : {&open_ws_, &capped_ws_}) {
    cli({"user", "add", "-w", ws->name, "--username", "admin", "--password", password_for("admin"),
         "--roles", "admin"});
    cli({"user", "seed", "-w", ws->name, "--count", std::to_string(ws->targets), "--prefix",
         ws->prefix});
    cli({"setting", "set", "-w", ws->name, "CREATE_TOKENS_FOR_USERS", "true"});
  }
  // No cap to speak of in default (so that every token stays valid), `cap` in capped.
  cli({"setting", "set", "-w", "default", "MAX_RESUME_LOGIN_TOKENS", "100000000"});
  cli({"setting", "set", "-w", "capped", "MAX_RESUME_LOGIN_TOKENS", std::to_string(plan_.cap)});
}

void CrashHarness::start() {
  host_.start();
  for (Workspace* ws : {&open_ws_, &capped_ws_}) {
    ws->admin = login(host_.port(), ws->host, "admin");
    if (ws->admin.user_id.empty()) throw std::runtime_error("admin login failed in " + ws->name);
  }
}

std::vector<Minted> CrashHarness::mint_and_kill(const Cycle& cycle) {
  start();
  std::atomic<bool> stop{false};
  const auto clients = static_cast<std::size_t>(cycle.clients);
  std::vector<std::vector<Minted>> minted(clients);
  std::vector<std::vector<std::string>> unexpected(clients);
  std::vector<std::thread> threads;
  const unsigned short port = host_.port();
  for (std::size_t i = 0; i < clients; ++i) {
    const Workspace& ws = static_cast<int>(i) < cycle.capped ? capped_ws_ : open_ws_;
    const auto seed = static_cast<unsigned>(i * 7919 + all_.size());
    threads.emplace_back(
        [&, i, port, seed] { mint_loop(port, ws, seed, stop, minted[i], unexpected[i]); });
  }
  std::this_thread::sleep_for(plan_.mint_window);
  const int killed = host_.kill(SIGKILL);
  stop = true;
  for (auto& t : threads) t.join();
  CHECK(killed == 128 + SIGKILL);

  std::vector<Minted> result;
  for (auto& m : minted) result.insert(result.end(), m.begin(), m.end());
  bool any_unexpected = false;
  for (auto& u : unexpected) {
    for (auto& what : u) {
      FAIL_CHECK("unexpected answer while minting: " << what);
      any_unexpected = true;
    }
  }
  if (any_unexpected) MESSAGE("the host's warnings and errors:\n" << problems(host_.log()));
  all_.insert(all_.end(), result.begin(), result.end());
  return result;
}

void CrashHarness::check_nothing_half_written() {
  if (backend_.storage_checks) backend_.storage_checks();
  const auto& query = backend_.query;
  // Every session belongs to an existing user of its workspace.
  const Rows orphans = query(
      "SELECT count(*) FROM sessions s LEFT JOIN users u "
      "ON u.workspace = s.workspace AND u.id = s.user_id WHERE u.id IS NULL");
  CHECK(std::stoll(orphans.at(0).at(0)) == 0);

  // Each mint writes a session row and an "issued" audit row in the same commit. The audit
  // row does not name the token, so they are matched by count per user: in default, where
  // the cap prunes nothing, the targets' session rows and issued rows are one to one.
  const std::string per_user =
      "SELECT u.username, "
      " (SELECT count(*) FROM sessions s WHERE s.workspace = u.workspace AND s.user_id = u.id),"
      " (SELECT count(*) FROM audit a WHERE a.workspace = u.workspace AND a.target_id = u.id"
      "  AND a.action = 'users.createToken' AND a.outcome = 'issued') "
      "FROM users u WHERE u.workspace = 'default' AND u.username LIKE 't%'";
  std::size_t checked = 0, mismatched = 0;
  for (const auto& row : query(per_user)) {
    CAPTURE(row[0]);
    if (row[1] != row[2]) {
      ++mismatched;
      if (mismatched <= 5) FAIL_CHECK("sessions " << row[1] << " vs issued audit rows " << row[2]);
    }
    ++checked;
  }
  CHECK(mismatched == 0);
  CHECK(checked == static_cast<std::size_t>(plan_.targets));

  // In capped, the cap prunes: no user holds more than `cap` sessions, and the kept ones still
  // each have their own issued row, written no earlier than the session (newest first: the
  // k newest sessions need k issued rows no older than the k-th).
  for (const auto& user : query("SELECT id, username FROM users WHERE workspace = 'capped' "
                                "AND username LIKE 'c%'")) {
    CAPTURE(user[1]);
    const std::string id = sql_quote(user[0]);
    const Rows created = query(
        "SELECT created_ms FROM sessions WHERE workspace = 'capped' AND "
        "user_id = " +
        id + " ORDER BY created_ms DESC, seq DESC");
    const Rows issued = query(
        "SELECT time_ms FROM audit WHERE workspace = 'capped' AND "
        "target_id = " +
        id +
        " AND action = 'users.createToken' AND outcome = 'issued' "
        "ORDER BY time_ms DESC");
    CHECK(created.size() <= plan_.cap);
    for (std::size_t k = 0; k < created.size(); ++k) {
      const std::int64_t kth = std::stoll(created[k][0]);
      const auto newer = std::count_if(issued.begin(), issued.end(),
                                       [&](const auto& r) { return std::stoll(r[0]) >= kth; });
      CHECK_MESSAGE(static_cast<std::size_t>(newer) >= k + 1,
                    "session " << k + 1 << " newest has no issued audit row of its own");
    }
  }
}

void CrashHarness::check_nothing_lost(const std::vector<Minted>& minted) {
  std::atomic<std::size_t> next{0}, ok{0};
  std::mutex mutex;
  std::vector<const Minted*> refused;  // 401 for a capped user: pushed out, or lost?
  std::vector<std::string> lost;
  const unsigned short port = host_.port();
  auto verify = [&] {
    std::map<const Workspace*, std::unique_ptr<HttpConnection>> connections;
    for (std::size_t i = next++; i < minted.size(); i = next++) {
      const Minted& m = minted[i];
      auto& c = connections[m.ws];
      if (!c || !c->connected()) c = std::make_unique<HttpConnection>(port, 10s);
      HttpResult r =
          c->request("GET", "/api/v1/me", {},
                     {{"Host", m.ws->host}, {"X-User-Id", m.user_id}, {"X-Auth-Token", m.token}});
      if (r.status == 0) c.reset();
      std::lock_guard lock(mutex);
      if (r.status == 200 && r.json()["_id"] == m.user_id) {
        ++ok;
      } else if (r.status == 401 && m.ws == &capped_ws_) {
        refused.push_back(&m);
      } else {
        lost.push_back(m.ws->name + " " + m.user_id + " -> " + std::to_string(r.status) + " " +
                       r.body + r.error);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back(verify);
  for (auto& t : threads) t.join();

  // Pushed out means: `cap` sessions of that user remain, all created after it was requested.
  std::size_t pushed_out = 0;
  for (const Minted* m : refused) {
    const Rows kept = backend_.query(
        "SELECT count(*), min(created_ms) FROM sessions WHERE workspace = 'capped' AND "
        "user_id = " +
        sql_quote(m->user_id));
    if (std::stoul(kept.at(0).at(0)) == plan_.cap && std::stoll(kept[0].at(1)) >= m->sent_ms) {
      ++pushed_out;
    } else {
      lost.push_back("capped " + m->user_id + " requested at " + std::to_string(m->sent_ms) +
                     ": 401, and " + kept[0][0] + " sessions remain, the oldest created at " +
                     kept[0].at(1));
    }
  }
  for (std::size_t i = 0; i < lost.size() && i < 5; ++i) FAIL_CHECK("lost token: " << lost[i]);
  CHECK(lost.empty());
  CHECK(ok + pushed_out == minted.size());
  MESSAGE(minted.size() << " tokens answered before the kill: " << ok.load() << " authenticate, "
                        << pushed_out << " pushed out by the cap of " << plan_.cap);
}

void CrashHarness::check_default_tokens_stored() {
  std::set<std::string> stored;
  for (const auto& row :
       backend_.query("SELECT token_hash FROM sessions WHERE workspace = 'default'")) {
    stored.insert(row.at(0));
  }
  std::size_t missing = 0, minted = 0;
  for (const Minted& m : all_) {
    if (m.ws != &open_ws_) continue;
    ++minted;
    if (stored.count(backend_.token_hash(m.token)) == 0) {
      if (++missing <= 5) FAIL_CHECK("not stored: the token of " << m.user_id);
    }
  }
  CHECK(missing == 0);
  MESSAGE(minted << " default-workspace tokens over every cycle, " << missing << " not stored");
}

void CrashHarness::run() {
  for (std::size_t i = 0; i < plan_.cycles.size(); ++i) {
    const Cycle& cycle = plan_.cycles[i];
    CAPTURE(i);
    CAPTURE(cycle.clients);
    const auto started = std::chrono::steady_clock::now();
    const std::vector<Minted> minted = mint_and_kill(cycle);
    CHECK(minted.size() >= 10);
    check_nothing_half_written();
    start();
    check_nothing_lost(minted);
    // The restarted host serves and mints.
    HttpResult r = http_request(host_.port(), "POST", "/api/v1/users.createToken",
                                R"({"username":"t1"})", auth_headers("localhost", open_ws_.admin));
    CHECK(r.status == 200);
    host_.stop();
    MESSAGE("cycle " << i << ": " << cycle.clients << " client(s), " << minted.size() << " tokens, "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count()
                     << " ms");
  }
  // At the end, every token of the open workspace from every cycle is still stored, and the
  // last, orderly stop left nothing half-written either.
  check_default_tokens_stored();
  check_nothing_half_written();
}

}  // namespace rct::crash
