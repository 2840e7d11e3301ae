// rchost's command line as scripts use it: --help everywhere, stable exit codes, the new
// user id on stdout, and settings and enablement stored where the host reads them.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <regex>

#include "host_process.h"

namespace {

const std::regex kUserId("^[23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz]{17}\n$");

}  // namespace

TEST_CASE("--help on every command exits 0") {
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"},
                                        {"serve", "--help"},
                                        {"user", "add", "--help"},
                                        {"user", "deactivate", "--help"},
                                        {"workspace", "add", "--help"},
                                        {"workspace", "map-host", "--help"},
                                        {"setting", "set", "--help"},
                                        {"setting", "unset", "--help"},
                                        {"plugin", "enable", "--help"},
                                        {"plugin", "disable", "--help"},
                                        {"audit", "list", "--help"}}) {
    CAPTURE(args.front());
    rct::CommandResult r = rct::run_rchost(args);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Usage:") != std::string::npos);
  }
}

TEST_CASE("exit codes: usage 2, not found 3, already exists 4") {
  rct::HostProcess host;  // only for its data directory
  CHECK(rct::run_rchost({}).exit_code == 2);
  CHECK(rct::run_rchost({"frobnicate"}).exit_code == 2);
  CHECK(host.cli({"user", "add", "--username", "x"}).exit_code == 2);  // no --password
  CHECK(host.cli({"serve", "--port", "70000"}).exit_code == 2);

  rct::CommandResult added = host.cli({"user", "add", "--username", "dana", "--password", "pw1"});
  CHECK(added.exit_code == 0);
  CHECK(std::regex_match(added.out, kUserId));
  CHECK(host.cli({"user", "add", "--username", "DANA", "--password", "pw2"}).exit_code == 4);

  CHECK(host.cli({"setting", "set", "--workspace", "nope", "A", "b"}).exit_code == 3);
  CHECK(host.cli({"plugin", "disable", "--workspace", "nope", "p"}).exit_code == 3);
  CHECK(host.cli({"user", "deactivate", "ghost"}).exit_code == 3);
  CHECK(host.cli({"workspace", "map-host", "h.test", "nope"}).exit_code == 3);

  CHECK(host.cli({"workspace", "add", "w2", "--host", "w2.test"}).exit_code == 0);
  CHECK(host.cli({"workspace", "add", "w2"}).exit_code == 4);
  CHECK(host.cli({"workspace", "map-host", "alias.test", "w2"}).exit_code == 0);
  rct::CommandResult list = host.cli({"workspace", "list"});
  CHECK(list.out == "default\nw2\n");

  CHECK(host.cli({"setting", "set", "--workspace", "w2", "protectedRoles", "[\"admin\"]"})
            .exit_code == 0);
  CHECK(host.cli({"setting", "unset", "--workspace", "w2", "protectedRoles"}).exit_code == 0);
  CHECK(host.cli({"plugin", "disable", "--workspace", "w2", "users-create-token"}).exit_code == 0);
  CHECK(host.cli({"audit", "list", "--json"}).exit_code == 0);
}

TEST_CASE("serve exits 1 when the port is taken") {
  rct::HostProcess first;
  first.start();
  rct::HostProcess second;
  rct::CommandResult r =
      second.cli({"serve", "--port", std::to_string(first.port()), "--plugins", "/nonexistent"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot listen") != std::string::npos);
}

TEST_CASE("a data directory the host creates is readable by its owner only, its database too") {
  rct::TempDir scratch;
  const auto data = scratch.path() / "new" / "data";
  for (const char* command : {"user", "serve"}) {
    CAPTURE(command);
    std::filesystem::remove_all(scratch.path() / "new");
    if (std::string(command) == "user") {
      REQUIRE(rct::run_rchost({"user", "list", "--data", data.string()}).exit_code == 0);
    } else {
      // Opens its storage, then cannot listen on an address (TEST-NET) that is not this
      // machine's: the files exist by then.
      rct::run_rchost({"serve", "--data", data.string(), "--address", "192.0.2.1"},
                      {.timeout = std::chrono::seconds(20)});
    }
    struct stat st {};
    REQUIRE(stat(data.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    REQUIRE(stat((scratch.path() / "new").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    REQUIRE(stat((data / "host.db").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
}
