// The operator's commands against a real host: user set-roles / set-password, token list /
// revoke (never a token on screen; a revoked token is a 401 within the read cache), plugin
// list with serve's checks, audit list filters, and serve's configuration file with its
// precedence (flags > environment > file > defaults) and its errors.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "db_peek.h"
#include "fixture_plugins.h"
#include "host_process.h"
#include "http_client.h"
#include "workspace_fixture.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Env = rct::Environment;

const std::regex kIso("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$");

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// One command to completion, with environment and standard input.
rct::CommandResult run(const std::vector<std::string>& args, const Env& env = {},
                       const std::string& input = {}) {
  return rct::run_rchost(args, {.environment = env, .input = input});
}

// `rchost serve` with exactly the given arguments and environment (no --port of its own),
// stopped when the object goes away.
class Serve {
 public:
  Serve(const std::vector<std::string>& args, const Env& env) {
    pid_ = rct::start_rchost(args, env, dir_.path() / "log");
  }
  ~Serve() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      if (rct::wait_for_exit(pid_, std::chrono::seconds(10)) == -1) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
      }
    }
  }
  Serve(const Serve&) = delete;
  Serve& operator=(const Serve&) = delete;

  // True once GET /api/info answers on `port`; false when the host exited or 20 s passed.
  bool answers_on(unsigned short port) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (rct::http_request(port, "GET", "/api/info").status == 200) return true;
      int code = rct::wait_for_exit(pid_, std::chrono::milliseconds(0));
      if (code != -1) {
        exit_code_ = code;
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }
  // The exit code once it exits by itself (within 20 s), else -1.
  int exit_code() {
    if (pid_ > 0) {
      exit_code_ = rct::wait_for_exit(pid_, std::chrono::seconds(20));
      if (exit_code_ != -1) pid_ = -1;
    }
    return exit_code_;
  }
  std::string log() const { return read_file(dir_.path() / "log"); }

 private:
  rct::TempDir dir_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> out;
  for (const auto& line : lines_of(text)) out.push_back(json::parse(line));
  return out;
}

// A seeded default workspace with the gate open, served on a free port.
struct OperatorHost {
  rct::HostProcess host;
  rct::SeededWorkspace ws;
  rct::Credentials admin;

  OperatorHost() {
    ws = rct::seed_workspace(host, "default");
    rct::set_setting(host, "default", "CREATE_TOKENS_FOR_USERS", "true");
    host.start();
    admin = rct::login(host.port(), ws.host, "admin");
    REQUIRE(!admin.user_id.empty());
  }
  rct::HttpResult create_token(const rct::Credentials& caller, const std::string& username) {
    return rct::http_request(host.port(), "POST", "/api/v1/users.createToken",
                             json{{"username", username}}.dump(),
                             rct::auth_headers(ws.host, caller));
  }
  std::string mint(const std::string& username) {
    rct::HttpResult r = create_token(admin, username);
    REQUIRE(r.status == 200);
    return r.json()["data"]["authToken"];
  }
  int me(const std::string& username, const std::string& token) {
    return rct::http_request(host.port(), "GET", "/api/v1/me", {},
                             rct::auth_headers(ws.host, {ws.ids.at(username), token}))
        .status;
  }
  // Polls GET /me until it answers `status` (up to 2 s: the host's read cache is 0.5 s).
  bool me_becomes(const std::string& username, const std::string& token, int status) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    for (;;) {
      if (me(username, token) == status) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
};

}  // namespace

TEST_CASE("--help on every operator command exits 0") {
  for (std::vector<std::string> args : {std::vector<std::string>{"user", "set-roles", "--help"},
                                        {"user", "set-password", "--help"},
                                        {"token", "--help"},
                                        {"token", "list", "--help"},
                                        {"token", "revoke", "--help"},
                                        {"plugin", "list", "--help"},
                                        {"audit", "list", "--help"},
                                        {"config", "show", "--help"}}) {
    CAPTURE(args[0] + " " + args[1]);
    rct::CommandResult r = rct::run_rchost(args);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Usage:") != std::string::npos);
  }
  rct::CommandResult serve = rct::run_rchost({"serve", "--help"});
  CHECK(serve.out.find("highest precedence first: flags, then environment variables") !=
        std::string::npos);
  CHECK(serve.out.find("env RCHOST_PORT") != std::string::npos);
}

TEST_CASE("user set-roles: replaces the roles; the host applies them; errors exit 2 and 3") {
  OperatorHost s;
  rct::Credentials alice = rct::login(s.host.port(), s.ws.host, "alice");
  REQUIRE(!alice.user_id.empty());
  CHECK(s.create_token(alice, "bob").status == 400);  // a user may not mint for others

  rct::CommandResult set = s.host.cli({"user", "set-roles", "alice", "--roles", "admin,bot"});
  CHECK(set.exit_code == 0);
  CHECK(set.err.empty());
  bool listed = false;
  for (const json& u : json_lines(s.host.cli({"user", "list", "--json"}).out)) {
    if (u["username"] == "alice") {
      CHECK(u["roles"] == json::array({"admin", "bot"}));
      listed = true;
    }
  }
  CHECK(listed);
  // Within the host's read cache (0.5 s) alice holds user-generate-access-token.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  int status = 0;
  while ((status = s.create_token(alice, "bob").status) != 200 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(status == 200);

  rct::CommandResult ghost = s.host.cli({"user", "set-roles", "ghost", "--roles", "user"});
  CHECK(ghost.exit_code == 3);
  CHECK(ghost.err.find("ghost") != std::string::npos);
  CHECK(s.host.cli({"user", "set-roles", "alice"}).exit_code == 2);  // --roles required
  rct::CommandResult long_role =
      s.host.cli({"user", "set-roles", "alice", "--roles", std::string(65, 'r')});
  CHECK(long_role.exit_code == 2);
  CHECK(long_role.err.find("role names") != std::string::npos);
  CHECK(s.host.cli({"user", "set-roles", "-w", "nope", "alice", "--roles", "user"}).exit_code == 3);
}

TEST_CASE("user set-password: --password-file, standard input, --password; login follows") {
  OperatorHost s;
  // The login status with `password`, once it is `expected` (up to 2 s: a running host may
  // answer from its 0.5 s read cache).
  auto login_status = [&](const std::string& password, int expected) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    for (;;) {
      int status = rct::http_request(s.host.port(), "POST", "/api/v1/login",
                                     json{{"user", "bob"}, {"password", password}}.dump(),
                                     {{"Host", s.ws.host}})
                       .status;
      if (status == expected || std::chrono::steady_clock::now() >= deadline) return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  const std::string data = s.host.data_dir().string();
  rct::TempDir files;
  write_text(files.path() / "pw", "from-a-file-1\n");

  rct::CommandResult by_file = s.host.cli(
      {"user", "set-password", "bob", "--password-file", (files.path() / "pw").string()});
  CHECK(by_file.exit_code == 0);
  CHECK(by_file.out.empty());
  CHECK(login_status("from-a-file-1", 200) == 200);
  CHECK(login_status(rct::password_for("bob"), 401) == 401);

  rct::CommandResult by_stdin =
      run({"user", "set-password", "bob", "--data", data}, {}, "from-stdin-2\nignored\n");
  CHECK(by_stdin.exit_code == 0);
  CHECK(login_status("from-stdin-2", 200) == 200);
  CHECK(login_status("from-a-file-1", 401) == 401);

  rct::CommandResult dash =
      run({"user", "set-password", "bob", "--password-file", "-", "--data", data}, {}, "dash-3");
  CHECK(dash.exit_code == 0);
  CHECK(login_status("dash-3", 200) == 200);

  CHECK(s.host.cli({"user", "set-password", "bob", "--password", "flag-4"}).exit_code == 0);
  CHECK(login_status("flag-4", 200) == 200);

  // Errors: nothing changes.
  rct::CommandResult both = s.host.cli({"user", "set-password", "bob", "--password", "x",
                                        "--password-file", (files.path() / "pw").string()});
  CHECK(both.exit_code == 2);
  rct::CommandResult empty = run({"user", "set-password", "bob", "--data", data}, {}, "\n");
  CHECK(empty.exit_code == 2);
  CHECK(empty.err.find("empty") != std::string::npos);
  rct::CommandResult missing =
      s.host.cli({"user", "set-password", "bob", "--password-file", "/nonexistent/pw"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("/nonexistent/pw") != std::string::npos);
  CHECK(s.host.cli({"user", "set-password", "ghost", "--password", "x"}).exit_code == 3);
  CHECK(login_status("flag-4", 200) == 200);
}

TEST_CASE("token list shows hash prefixes and ISO times, never a token; revoke ends sessions") {
  OperatorHost s;
  const std::string token = s.mint("bob");
  const std::string second = s.mint("bob");
  REQUIRE(token.size() == 43);

  rct::CommandResult list = s.host.cli({"token", "list", "bob"});
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find(token) == std::string::npos);
  CHECK(list.out.find(second) == std::string::npos);
  CHECK(list.out.find(token.substr(0, 8)) == std::string::npos);
  auto rows = lines_of(list.out);
  REQUIRE(rows.size() == 2);
  const std::string prefix = rct::token_hash(token).substr(0, 12);
  const std::string second_prefix = rct::token_hash(second).substr(0, 12);
  std::set<std::string> shown;
  for (const auto& row : rows) {
    std::vector<std::string> cols;
    std::istringstream in(row);
    for (std::string c; std::getline(in, c, '\t');) cols.push_back(c);
    REQUIRE(cols.size() == 4);
    shown.insert(cols[0]);
    CHECK(std::regex_match(cols[1], kIso));
    CHECK(std::regex_match(cols[2], kIso));
    CHECK(cols[3] == "live");
  }
  CHECK(shown == std::set<std::string>{prefix, second_prefix});

  rct::CommandResult as_json = s.host.cli({"token", "list", "bob", "--json"});
  REQUIRE(as_json.exit_code == 0);
  CHECK(as_json.out.find(token) == std::string::npos);
  for (const json& j : json_lines(as_json.out)) {
    CHECK(j["hash_prefix"].get<std::string>().size() == 12);
    CHECK(std::regex_match(j["created"].get<std::string>(), kIso));
    CHECK(std::regex_match(j["expires"].get<std::string>(), kIso));
    CHECK(j["expired"] == false);
    // 90 days by default.
    CHECK(j["expires"].get<std::string>() > j["created"].get<std::string>());
  }
  CHECK(s.host.cli({"token", "list", "ghost"}).exit_code == 3);
  CHECK(s.host.cli({"token", "list", "alice"}).out.empty());  // no sessions: nothing

  // Revoke one by its prefix on the running host: a 401 within the read cache.
  REQUIRE(s.me("bob", token) == 200);
  rct::CommandResult revoked =
      s.host.cli({"token", "revoke", "bob", "--hash-prefix", prefix.substr(0, 10)});
  CHECK(revoked.exit_code == 0);
  CHECK(revoked.out == "revoked 1 session\n");
  CHECK(s.me_becomes("bob", token, 401));
  CHECK(s.me("bob", second) == 200);
  CHECK(lines_of(s.host.cli({"token", "list", "bob"}).out).size() == 1);

  // Unknown prefix: not found; neither or both options: usage.
  const std::string unknown = "~~~~";  // not base64: matches no hash
  rct::CommandResult none = s.host.cli({"token", "revoke", "bob", "--hash-prefix", unknown});
  CHECK(none.exit_code == 3);
  CHECK(none.err.find(unknown) != std::string::npos);
  CHECK(s.host.cli({"token", "revoke", "bob"}).exit_code == 2);
  CHECK(s.host.cli({"token", "revoke", "bob", "--all", "--hash-prefix", "A"}).exit_code == 2);
  CHECK(s.host.cli({"token", "revoke", "ghost", "--all"}).exit_code == 3);
  CHECK(s.me("bob", second) == 200);
}

TEST_CASE("token revoke: an ambiguous prefix exits 2 listing the candidates; --all ends all") {
  OperatorHost s;
  // Mint until two of alice's sessions share the first hash character (64 possibilities).
  std::vector<std::string> tokens;
  std::map<char, std::vector<std::string>> by_first;
  char shared = 0;
  while (shared == 0 && tokens.size() < 40) {
    tokens.push_back(s.mint("alice"));
    std::string hash = rct::token_hash(tokens.back());
    by_first[hash[0]].push_back(hash);
    if (by_first[hash[0]].size() == 2) shared = hash[0];
  }
  REQUIRE(shared != 0);

  rct::CommandResult ambiguous =
      s.host.cli({"token", "revoke", "alice", "--hash-prefix", std::string(1, shared)});
  CHECK(ambiguous.exit_code == 2);
  CHECK(ambiguous.err.find("matches 2 sessions") != std::string::npos);
  for (const auto& hash : by_first[shared]) {
    CHECK(ambiguous.err.find(hash.substr(0, 12)) != std::string::npos);
  }
  for (const auto& token : tokens) CHECK(ambiguous.err.find(token) == std::string::npos);
  CHECK(lines_of(s.host.cli({"token", "list", "alice"}).out).size() == tokens.size());

  rct::CommandResult all = s.host.cli({"token", "revoke", "alice", "--all"});
  CHECK(all.exit_code == 0);
  CHECK(all.out == "revoked " + std::to_string(tokens.size()) + " sessions\n");
  for (const auto& token : tokens) CHECK(s.me_becomes("alice", token, 401));
  CHECK(s.host.cli({"token", "list", "alice"}).out.empty());
  CHECK(s.host.cli({"token", "revoke", "alice", "--all"}).out == "revoked 0 sessions\n");
}

TEST_CASE("plugin list: serve's checks per directory, the refusal reason, enablement") {
  rct::TempDir plugins;
  rct::install_real_plugin(plugins.path());
  rct::install_fixture(plugins.path(), "good");
  rct::install_fixture(plugins.path(), "bad_fingerprint");
  fs::create_directories(plugins.path() / "no-manifest");
  rct::HostProcess host;
  REQUIRE(host.cli({"workspace", "add", "w2"}).exit_code == 0);
  REQUIRE(host.cli({"plugin", "disable", "-w", "w2", "fixture-good"}).exit_code == 0);

  rct::CommandResult text = host.cli({"plugin", "list", "--plugins", plugins.path().string()});
  REQUIRE(text.exit_code == 0);
  auto rows = lines_of(text.out);
  REQUIRE(rows.size() == 4);
  std::map<std::string, std::string> by_id;
  for (const auto& row : rows) by_id[row.substr(0, row.find('\t'))] = row;
  CHECK(by_id.at("users-create-token")
            .rfind("users-create-token\t0.1.0\tloaded\tenabled (default)\t-", 0) == 0);
  CHECK(by_id.at("fixture-good") == "fixture-good\t1.0.0\tloaded\tenabled (default)\t-");
  CHECK(by_id.at("fixture-bad-fingerprint").find("\trefused\t") != std::string::npos);
  CHECK(by_id.at("fixture-bad-fingerprint").find("fingerprint") != std::string::npos);
  CHECK(by_id.at("no-manifest").find("\trefused\t") != std::string::npos);
  CHECK(by_id.at("no-manifest").find("manifest.json") != std::string::npos);

  rct::CommandResult in_w2 =
      host.cli({"plugin", "list", "-w", "w2", "--json", "--plugins", plugins.path().string()});
  REQUIRE(in_w2.exit_code == 0);
  std::map<std::string, json> objects;
  for (const json& j : json_lines(in_w2.out)) objects[j["id"]] = j;
  REQUIRE(objects.size() == 4);
  CHECK(objects["fixture-good"]["status"] == "loaded");
  CHECK(objects["fixture-good"]["enabled"] == false);
  CHECK(objects["fixture-good"]["enabled_by_default"] == false);
  CHECK(objects["users-create-token"]["enabled"] == true);
  CHECK(objects["users-create-token"]["enabled_by_default"] == true);
  CHECK(objects["fixture-bad-fingerprint"]["status"] == "refused");
  CHECK(objects["fixture-bad-fingerprint"]["check"].get<std::string>().find("fingerprint") !=
        std::string::npos);
  CHECK(!objects["fixture-bad-fingerprint"]["advice"].get<std::string>().empty());
  CHECK(objects["no-manifest"]["status"] == "refused");

  // The refusal line is the one serve logs for the same directory.
  std::string reason = objects["fixture-bad-fingerprint"]["reason"];
  rct::HostOptions o;
  o.plugins_dir = plugins.path();
  rct::HostProcess serving(o);
  serving.start();
  CHECK(serving.log().find(reason) != std::string::npos);

  rct::CommandResult missing = host.cli({"plugin", "list", "--plugins", "/nonexistent/plugins"});
  CHECK(missing.exit_code == 3);
  CHECK(missing.err.find("/nonexistent/plugins") != std::string::npos);
  CHECK(
      host.cli({"plugin", "list", "-w", "nope", "--plugins", plugins.path().string()}).exit_code ==
      3);
}

TEST_CASE("audit list: --caller, --target, --outcome, --since, --limit, --json") {
  OperatorHost s;
  rct::Credentials alice = rct::login(s.host.port(), s.ws.host, "alice");
  REQUIRE(!alice.user_id.empty());
  REQUIRE(s.create_token(s.admin, "bob").status == 200);    // issued
  REQUIRE(s.create_token(s.admin, "alice").status == 200);  // issued
  REQUIRE(s.create_token(alice, "bob").status == 400);      // refused: permission-missing
  const std::string admin_id = s.ws.ids.at("admin");
  const std::string alice_id = s.ws.ids.at("alice");
  const std::string bob_id = s.ws.ids.at("bob");

  auto events = [&](std::vector<std::string> args) {
    std::vector<std::string> full = {"audit", "list", "--json"};
    full.insert(full.end(), args.begin(), args.end());
    rct::CommandResult r = s.host.cli(full);
    REQUIRE(r.exit_code == 0);
    return json_lines(r.out);
  };
  REQUIRE(events({}).size() == 3);
  for (const json& e : events({})) CHECK(std::regex_match(e["time"].get<std::string>(), kIso));

  auto by_admin = events({"--caller", admin_id});
  CHECK(by_admin.size() == 2);
  for (const json& e : by_admin) CHECK(e["caller_id"] == admin_id);
  CHECK(events({"--caller", "admin", "-w", "default"}).size() == 2);  // a username with -w

  // alice may not mint for others, so her refusal names no target (no probing for users).
  auto for_bob = events({"--target", bob_id});
  REQUIRE(for_bob.size() == 1);
  CHECK(for_bob[0]["caller_id"] == admin_id);
  CHECK(events({"--target", "bob", "-w", "default"}).size() == 1);
  auto refused = events({"--outcome", "refused"});
  REQUIRE(refused.size() == 1);
  CHECK(refused[0]["caller_id"] == alice_id);
  CHECK(refused[0]["reason"] == "permission-missing");
  CHECK(events({"--caller", admin_id, "--target", alice_id, "--outcome", "issued"}).size() == 1);
  CHECK(events({"--outcome", "failed"}).empty());

  CHECK(events({"--since", "1h"}).size() == 3);
  CHECK(events({"--since", "2999-01-01T00:00:00Z"}).empty());
  CHECK(events({"--since", "2000-01-01"}).size() == 3);
  std::string last_time = events({})[2]["time"];
  CHECK(events({"--since", "2999-01-01"}).empty());
  CHECK(!events({"--since", last_time}).empty());

  auto newest = events({"--limit", "1"});
  REQUIRE(newest.size() == 1);
  CHECK(newest[0]["outcome"] == "refused");
  CHECK(events({"--limit", "0"}).size() == 3);

  rct::CommandResult text = s.host.cli({"audit", "list", "--outcome", "refused"});
  CHECK(lines_of(text.out).size() == 1);

  rct::CommandResult bad_since = s.host.cli({"audit", "list", "--since", "yesterday"});
  CHECK(bad_since.exit_code == 2);
  CHECK(bad_since.err.find("--since") != std::string::npos);
  rct::CommandResult bad_outcome = s.host.cli({"audit", "list", "--outcome", "ok"});
  CHECK(bad_outcome.exit_code == 2);
  CHECK(bad_outcome.err.find("issued, refused, failed") != std::string::npos);
}

TEST_CASE(
    "config file and environment: the port of the environment wins over the file's, "
    "a flag over both") {
  rct::TempDir dir;
  const unsigned short file_port = rct::free_port();
  unsigned short env_port = rct::free_port();
  while (env_port == file_port) env_port = rct::free_port();
  const fs::path config = dir.path() / "config.json";
  write_text(config, json{{"port", file_port},
                          {"address", "127.0.0.1"},
                          {"data_dir", (dir.path() / "data").string()},
                          {"plugins_dir", RCT_PLUGINS_DIR},
                          {"threads", 1}}
                         .dump(2));

  {
    Serve file_only({"serve", "--config", config.string()}, {});
    CHECK(file_only.answers_on(file_port));
  }
  {
    Serve with_env({"serve", "--config", config.string()},
                   {{"RCHOST_PORT", std::to_string(env_port)}});
    REQUIRE(with_env.answers_on(env_port));
    CHECK(rct::http_request(file_port, "GET", "/api/info").status == 0);
  }
  {
    // RCHOST_CONFIG names the file when --config is absent; --port beats RCHOST_PORT.
    unsigned short flag_port = rct::free_port();
    Serve with_flag(
        {"serve", "--port", std::to_string(flag_port)},
        {{"RCHOST_CONFIG", config.string()}, {"RCHOST_PORT", std::to_string(env_port)}});
    REQUIRE(with_flag.answers_on(flag_port));
    CHECK(rct::http_request(env_port, "GET", "/api/info").status == 0);
    CHECK(rct::http_request(file_port, "GET", "/api/info").status == 0);
  }

  rct::CommandResult show =
      run({"config", "show", "--config", config.string()}, {{"RCHOST_PORT", "4321"}});
  CHECK(show.exit_code == 0);
  CHECK(show.out.find("port\t4321\tenvironment RCHOST_PORT\n") != std::string::npos);
  CHECK(show.out.find("threads\t1\tconfig " + config.string() + "\n") != std::string::npos);
  CHECK(show.out.find("workers\t2\tdefault\n") != std::string::npos);
}

TEST_CASE("config file: host settings act as environment defaults; rate limit override") {
  rct::TempDir dir;
  const std::string secret = "cfg-secret-7f3a9";
  const fs::path config = dir.path() / "config.json";
  write_text(config, json{{"settings",
                           {{"CREATE_TOKENS_FOR_USERS_SECRET", secret},
                            {"MAX_RESUME_LOGIN_TOKENS", 2},
                            {"Accounts_LoginExpiration", 1}}},
                          {"rate_limit", {{"requests", 3}, {"window_seconds", 60}}}}
                         .dump());
  rct::HostOptions o;
  o.extra_args = {"--config", config.string()};
  rct::HostProcess host(o);
  rct::SeededWorkspace ws = rct::seed_workspace(host, "default");
  host.start();
  rct::Credentials admin = rct::login(host.port(), ws.host, "admin");
  rct::Credentials alice = rct::login(host.port(), ws.host, "alice");
  REQUIRE(!alice.user_id.empty());
  auto mint = [&](const rct::Credentials& caller, const json& body) {
    return rct::http_request(host.port(), "POST", "/api/v1/users.createToken", body.dump(),
                             rct::auth_headers(ws.host, caller));
  };
  // The gate opens with the file's secret only.
  CHECK(mint(admin, {{"username", "bob"}}).status == 400);
  rct::HttpResult ok = mint(admin, {{"username", "bob"}, {"secret", secret}});
  CHECK(ok.status == 200);
  for (int i = 0; i < 3; ++i) mint(admin, {{"username", "bob"}, {"secret", secret}});
  CHECK(host.cli({"token", "list", "bob"}).out.size() > 0);
  CHECK(lines_of(host.cli({"token", "list", "bob"}).out).size() == 2);  // MAX_RESUME_LOGIN_TOKENS
  json first = json_lines(host.cli({"token", "list", "bob", "--json"}).out)[0];
  CHECK(first["expires"].get<std::string>().substr(0, 10) >
        first["created"].get<std::string>().substr(0, 10));  // one day later

  // The host-wide rate limit replaces the manifest's 10/60 (alice, a user, is not exempt;
  // she may not mint for bob, but the limit counts before the handler decides).
  rct::HttpResult limited;
  for (int i = 0; i < 3; ++i) {
    limited = mint(alice, {{"username", "bob"}, {"secret", secret}});
    CHECK(limited.status == 400);
    CHECK(limited.header("X-RateLimit-Limit") == "3");
  }
  limited = mint(alice, {{"username", "bob"}, {"secret", secret}});
  CHECK(limited.status == 429);

  // The secret is never written to the log.
  host.stop();
  CHECK(host.log().find(secret) == std::string::npos);
  CHECK(host.log().find("configuration file " + config.string()) != std::string::npos);

  // config show redacts it; the environment wins over the file.
  rct::CommandResult show =
      run({"config", "show", "--config", config.string()}, {{"CREATE_TOKENS_FOR_USERS", "true"}});
  CHECK(show.exit_code == 0);
  CHECK(show.out.find(secret) == std::string::npos);
  CHECK(show.out.find("settings.CREATE_TOKENS_FOR_USERS_SECRET\t<redacted>\tconfig") !=
        std::string::npos);
  CHECK(show.out.find("settings.CREATE_TOKENS_FOR_USERS\ttrue\tenvironment") != std::string::npos);
}

TEST_CASE("config file: the environment overrides a host setting; rate limit off") {
  rct::TempDir dir;
  const fs::path config = dir.path() / "config.json";
  write_text(config, R"({"settings": {"CREATE_TOKENS_FOR_USERS": "true"}, "rate_limit": "off"})");
  rct::HostOptions o;
  o.extra_args = {"--config", config.string()};
  o.environment = {{"CREATE_TOKENS_FOR_USERS", "no"}};
  rct::HostProcess host(o);
  rct::SeededWorkspace ws = rct::seed_workspace(host, "default");
  host.start();
  rct::Credentials admin = rct::login(host.port(), ws.host, "admin");
  rct::Credentials alice = rct::login(host.port(), ws.host, "alice");
  rct::HttpResult closed =
      rct::http_request(host.port(), "POST", "/api/v1/users.createToken",
                        json{{"username", "bob"}}.dump(), rct::auth_headers(ws.host, admin));
  CHECK(closed.status == 400);  // the environment's "no" wins over the file's "true"
  // No limit at all: more than the manifest's 10 requests a minute, none a 429.
  for (int i = 0; i < 12; ++i) {
    rct::HttpResult r =
        rct::http_request(host.port(), "POST", "/api/v1/users.createToken",
                          json{{"username", "alice"}}.dump(), rct::auth_headers(ws.host, alice));
    CHECK(r.status == 400);
    CHECK(r.header("X-RateLimit-Limit").empty());
  }
}

TEST_CASE("invalid configuration: exit 2 naming the file or variable and the setting") {
  rct::TempDir dir;
  const fs::path config = dir.path() / "config.json";

  write_text(config, R"({"port": 70000})");
  Serve bad_port({"serve", "--config", config.string()}, {});
  CHECK(bad_port.exit_code() == 2);
  CHECK(bad_port.log().find("config " + config.string() +
                            ": \"port\": must be an integer 0-65535") != std::string::npos);

  write_text(config, R"({"port": 3000, "max_conections": 5})");
  rct::CommandResult unknown = run({"serve", "--config", config.string()});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("\"max_conections\": unknown setting") != std::string::npos);

  write_text(config, R"({"rate_limit": {"requests": 10, "window_seconds": "60"}})");
  rct::CommandResult wrong_type = run({"config", "show", "--config", config.string()});
  CHECK(wrong_type.exit_code == 2);
  CHECK(wrong_type.err.find("\"rate_limit.window_seconds\": must be an integer 1-86400") !=
        std::string::npos);

  write_text(config, "{\"port\": 3000");
  rct::CommandResult not_json = run({"serve", "--config", config.string()});
  CHECK(not_json.exit_code == 2);
  CHECK(not_json.err.find("not valid JSON") != std::string::npos);

  rct::CommandResult missing = run({"serve"}, {{"RCHOST_CONFIG", "/nonexistent/config.json"}});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("/nonexistent/config.json") != std::string::npos);

  rct::CommandResult bad_env = run({"serve"}, {{"RCHOST_LOG_LEVEL", "loud"}});
  CHECK(bad_env.exit_code == 2);
  CHECK(bad_env.err.find("environment RCHOST_LOG_LEVEL: must be one of") != std::string::npos);

  rct::CommandResult bad_flag = run({"serve", "--rate-limit", "fast"});
  CHECK(bad_flag.exit_code == 2);
  CHECK(bad_flag.err.find("--rate-limit: must be") != std::string::npos);
}

namespace {

// A config file as the Debian package installs it, pointing at `data` (and `plugins`), with
// serve's other keys set as well (checked, but unused by the storage commands).
fs::path storage_config(const fs::path& dir, const fs::path& data, const fs::path& plugins = {}) {
  json doc = {{"address", "127.0.0.1"},    {"port", 3000},
              {"data_dir", data.string()}, {"storage_url", ""},
              {"log_level", "info"},       {"settings", {{"CREATE_TOKENS_FOR_USERS", "true"}}}};
  if (!plugins.empty()) doc["plugins_dir"] = plugins.string();
  fs::path path = dir / "config.json";
  write_text(path, doc.dump(2));
  return path;
}

// The usernames stored under data directory `data`; none when it has no database (looking
// does not create one).
std::set<std::string> users_in(const fs::path& data) {
  std::set<std::string> names;
  if (!fs::exists(data / "host.db")) return names;
  rct::CommandResult r = run({"user", "list", "--json", "--data", data.string()});
  REQUIRE(r.exit_code == 0);
  for (const json& u : json_lines(r.out)) names.insert(u["username"].get<std::string>());
  return names;
}

rct::CommandResult add_user(const std::string& username, std::vector<std::string> extra,
                            const Env& env = {}) {
  std::vector<std::string> args = {"user",   "add",        "--username",
                                   username, "--password", "pw-" + username + "-cfg-0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run(args, env);
}

}  // namespace

TEST_CASE(
    "storage commands read serve's config: --config, RCHOST_CONFIG, RCHOST_DATA_DIR, --data") {
  rct::TempDir dir;
  const fs::path file_data = dir.path() / "from-file";
  const fs::path env_data = dir.path() / "from-env";
  const fs::path flag_data = dir.path() / "from-flag";
  const fs::path config = storage_config(dir.path(), file_data);
  const std::string cfg = config.string();

  // --config: the file's data_dir.
  rct::CommandResult by_flag = add_user("carol", {"--config", cfg});
  CHECK(by_flag.exit_code == 0);
  CHECK(by_flag.err.empty());
  CHECK(users_in(file_data) == std::set<std::string>{"carol"});

  // RCHOST_CONFIG names the file when --config is absent.
  rct::CommandResult by_env = add_user("dave", {}, {{"RCHOST_CONFIG", cfg}});
  CHECK(by_env.exit_code == 0);
  CHECK(users_in(file_data) == std::set<std::string>{"carol", "dave"});
  rct::CommandResult listed = run({"user", "list"}, {{"RCHOST_CONFIG", cfg}});
  CHECK(listed.exit_code == 0);
  CHECK(lines_of(listed.out).size() == 2);

  // RCHOST_DATA_DIR wins over the file (named by --config or by RCHOST_CONFIG).
  CHECK(add_user("erin", {"--config", cfg}, {{"RCHOST_DATA_DIR", env_data.string()}}).exit_code ==
        0);
  CHECK(add_user("fred", {}, {{"RCHOST_CONFIG", cfg}, {"RCHOST_DATA_DIR", env_data.string()}})
            .exit_code == 0);
  CHECK(users_in(env_data) == std::set<std::string>{"erin", "fred"});
  CHECK(users_in(file_data) == std::set<std::string>{"carol", "dave"});

  // --data wins over both.
  CHECK(add_user("gina", {"--config", cfg, "--data", flag_data.string()},
                 {{"RCHOST_DATA_DIR", env_data.string()}})
            .exit_code == 0);
  CHECK(add_user("hank", {"--data", flag_data.string()},
                 {{"RCHOST_CONFIG", cfg}, {"RCHOST_DATA_DIR", env_data.string()}})
            .exit_code == 0);
  CHECK(users_in(flag_data) == std::set<std::string>{"gina", "hank"});
  CHECK(users_in(env_data) == std::set<std::string>{"erin", "fred"});
  CHECK(users_in(file_data) == std::set<std::string>{"carol", "dave"});

  // RCHOST_STORAGE_URL wins over the file's data_dir (and its empty storage_url).
  const fs::path url_data = dir.path() / "from-url";
  fs::create_directories(url_data);
  CHECK(add_user("ivan", {"--config", cfg},
                 {{"RCHOST_STORAGE_URL", "sqlite:" + (url_data / "host.db").string()}})
            .exit_code == 0);
  CHECK(users_in(url_data) == std::set<std::string>{"ivan"});

  // The other storage commands resolve it the same way.
  const Env via_env = {{"RCHOST_CONFIG", cfg}};
  CHECK(run({"workspace", "add", "w2"}, via_env).exit_code == 0);
  rct::CommandResult workspaces = run({"workspace", "list", "--config", cfg});
  CHECK(workspaces.exit_code == 0);
  CHECK(workspaces.out.find("w2") != std::string::npos);
  CHECK(run({"workspace", "list", "--data", flag_data.string()}).out.find("w2") ==
        std::string::npos);
  CHECK(run({"setting", "set", "-w", "w2", "CREATE_TOKENS_FOR_USERS", "true"}, via_env).exit_code ==
        0);
  CHECK(run({"user", "set-roles", "carol", "--roles", "admin"}, via_env).exit_code == 0);
  CHECK(run({"user", "deactivate", "dave", "--config", cfg}).exit_code == 0);
  rct::CommandResult tokens = run({"token", "list", "carol"}, via_env);
  CHECK(tokens.exit_code == 0);  // exists in the file's data directory: not 3
  CHECK(run({"token", "list", "carol", "--data", env_data.string()}).exit_code == 3);
  CHECK(run({"audit", "list"}, via_env).exit_code == 0);
  CHECK(run({"user", "set-password", "carol", "--password", "pw-carol-cfg-1"}, via_env).exit_code ==
        0);
  rct::CommandResult roles = run({"user", "list", "--json", "--config", cfg});
  REQUIRE(roles.exit_code == 0);
  for (const json& u : json_lines(roles.out)) {
    if (u["username"] == "carol") CHECK(u["roles"] == json::array({"admin"}));
    if (u["username"] == "dave") CHECK(u["active"] == false);
  }
}

TEST_CASE("plugin list reads plugins_dir from the config file, RCHOST_PLUGINS_DIR, --plugins") {
  rct::TempDir dir;
  rct::TempDir file_plugins;
  rct::TempDir env_plugins;
  rct::install_fixture(file_plugins.path(), "good");
  rct::install_real_plugin(env_plugins.path());
  const fs::path config = storage_config(dir.path(), dir.path() / "data", file_plugins.path());

  auto ids = [](const rct::CommandResult& r) {
    REQUIRE(r.exit_code == 0);
    std::set<std::string> out;
    for (const json& j : json_lines(r.out)) out.insert(j["id"].get<std::string>());
    return out;
  };
  CHECK(ids(run({"plugin", "list", "--json", "--config", config.string()})) ==
        std::set<std::string>{"fixture-good"});
  CHECK(ids(run({"plugin", "list", "--json"}, {{"RCHOST_CONFIG", config.string()}})) ==
        std::set<std::string>{"fixture-good"});
  CHECK(ids(run({"plugin", "list", "--json", "--config", config.string()},
                {{"RCHOST_PLUGINS_DIR", env_plugins.path().string()}})) ==
        std::set<std::string>{"users-create-token"});
  CHECK(ids(run({"plugin", "list", "--json", "--config", config.string(), "--plugins",
                 file_plugins.path().string()},
                {{"RCHOST_PLUGINS_DIR", env_plugins.path().string()}})) ==
        std::set<std::string>{"fixture-good"});
  CHECK(fs::exists(dir.path() / "data" / "host.db"));  // the file's data_dir, for enablement

  rct::CommandResult missing =
      run({"plugin", "list"}, {{"RCHOST_PLUGINS_DIR", "/nonexistent/plugins"}});
  CHECK(missing.exit_code == 3);
  CHECK(missing.err.find("RCHOST_PLUGINS_DIR") != std::string::npos);
}

TEST_CASE("storage commands: a broken config file or variable exits 2 naming the setting") {
  rct::TempDir dir;
  const fs::path data = dir.path() / "data";
  const fs::path config = dir.path() / "config.json";
  write_text(config, json{{"data_dir", data.string()}, {"port", 70000}}.dump());
  const std::string expected =
      "config " + config.string() + ": \"port\": must be an integer 0-65535";

  rct::CommandResult by_flag = run({"user", "list", "--config", config.string()});
  CHECK(by_flag.exit_code == 2);
  CHECK(by_flag.err.find(expected) != std::string::npos);
  CHECK(by_flag.out.empty());
  rct::CommandResult by_env = run({"user", "list"}, {{"RCHOST_CONFIG", config.string()}});
  CHECK(by_env.exit_code == 2);
  CHECK(by_env.err.find(expected) != std::string::npos);
  // Giving the data directory elsewhere does not make the file acceptable.
  rct::CommandResult with_data =
      run({"user", "add", "--config", config.string(), "--data", (dir.path() / "other").string(),
           "--username", "zed", "--password", "pw-zed-cfg-0"});
  CHECK(with_data.exit_code == 2);
  CHECK(with_data.err.find(expected) != std::string::npos);
  CHECK(!fs::exists(data));
  CHECK(!fs::exists(dir.path() / "other"));

  write_text(config,
             R"({"data_dir": "/var/lib/rchost", "settings": {"MAX_RESUME_LOGIN_TOKENS": 0}})");
  rct::CommandResult bad_setting = run({"token", "list", "bob", "--config", config.string()});
  CHECK(bad_setting.exit_code == 2);
  CHECK(bad_setting.err.find("\"settings.MAX_RESUME_LOGIN_TOKENS\": must be an integer") !=
        std::string::npos);

  write_text(config, R"({"data_dir": "/var/lib/rchost", "max_conections": 5})");
  rct::CommandResult unknown = run({"workspace", "list", "--config", config.string()});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("\"max_conections\": unknown setting") != std::string::npos);

  rct::CommandResult missing =
      run({"audit", "list"}, {{"RCHOST_CONFIG", "/nonexistent/config.json"}});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("/nonexistent/config.json") != std::string::npos);

  rct::CommandResult bad_env =
      run({"setting", "unset", "X", "--data", data.string()}, {{"RCHOST_LOG_LEVEL", "loud"}});
  CHECK(bad_env.exit_code == 2);
  CHECK(bad_env.err.find("environment RCHOST_LOG_LEVEL: must be one of") != std::string::npos);
  CHECK(!fs::exists(data));
}

TEST_CASE("--help of the storage commands names --config and the precedence") {
  for (std::vector<std::string> args : {std::vector<std::string>{"user", "add"},
                                        {"user", "list"},
                                        {"token", "revoke"},
                                        {"workspace", "list"},
                                        {"setting", "set"},
                                        {"plugin", "enable"},
                                        {"plugin", "list"},
                                        {"audit", "list"}}) {
    CAPTURE(args[0] + " " + args[1]);
    args.push_back("--help");
    rct::CommandResult r = run(args);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("--config") != std::string::npos);
    CHECK(r.out.find("env RCHOST_DATA_DIR") != std::string::npos);
    CHECK(r.out.find("Storage, highest precedence first: --data and --storage") !=
          std::string::npos);
    CHECK(r.out.find("/etc/rchost/config.json") != std::string::npos);
  }
  CHECK(run({"plugin", "list", "--help"}).out.find("env RCHOST_PLUGINS_DIR") != std::string::npos);
  CHECK(run({"serve", "--help"}).out.find("Storage, highest precedence") == std::string::npos);
}
