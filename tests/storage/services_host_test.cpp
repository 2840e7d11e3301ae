// Services suite, host-side pieces: settings precedence and live reads, authorization and
// permission seeding, workspace resolution, audit, metrics and the logger.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <thread>

#include <doctest/doctest.h>

#include "support/services_fixture.h"

using namespace rct_test;

TEST_CASE("settings: workspace value > environment > declared default > kNotFound") {
  constexpr const char* kName = "RCT_TEST_PRECEDENCE";
  ServicesFixture f(/*settings_from_environment=*/true);
  auto& settings = f->settings();
  CHECK(settings.get("default", kName).status().code() == StatusCode::kNotFound);

  f->set_setting_default(kName, "from-default");
  CHECK(*settings.get("default", kName) == "from-default");
  {
    ScopedEnv env(kName, "from-env");
    CHECK(*settings.get("default", kName) == "from-env");
    REQUIRE(f.storage().set_setting("default", kName, "from-workspace").ok());
    CHECK(*settings.get("default", kName) == "from-workspace");
    REQUIRE(f.storage().unset_setting("default", kName).ok());
    CHECK(*settings.get("default", kName) == "from-env");
  }
  CHECK(*settings.get("default", kName) == "from-default");
}

TEST_CASE("settings: the environment is ignored when not a source") {
  ScopedEnv env("RCT_TEST_NOT_A_SOURCE", "from-env");
  ServicesFixture f(/*settings_from_environment=*/false);
  CHECK(f->settings().get("default", "RCT_TEST_NOT_A_SOURCE").status().code() ==
        StatusCode::kNotFound);
}

TEST_CASE("settings: a value stored by another process is seen on the next call") {
  ServicesFixture f;
  CHECK(f->settings().get("default", "protectedRoles").status().code() == StatusCode::kNotFound);
  auto other = host::open_storage("sqlite:" + f.db_path);
  REQUIRE(other.ok());
  REQUIRE(other.value()->set_setting("default", "protectedRoles", "admin").ok());
  CHECK(*f->settings().get("default", "protectedRoles") == "admin");
  REQUIRE(other.value()->set_setting("default", "protectedRoles", "admin,bot").ok());
  CHECK(*f->settings().get("default", "protectedRoles") == "admin,bot");
}

TEST_CASE("authorization: api-bypass-rate-limit is seeded for admin, bot and app") {
  ServicesFixture f;
  auto roles = f.storage().permission_roles("default", "api-bypass-rate-limit");
  REQUIRE(roles.ok());
  CHECK(*roles == std::vector<std::string>{"admin", "bot", "app"});

  auto& authz = f->authorization();
  for (const char* role : {"admin", "bot", "app"}) {
    CAPTURE(role);
    std::string id = f.user(std::string("with-") + role, "", {"user", role});
    CHECK(*authz.has_permission("default", id, "api-bypass-rate-limit"));
  }
  std::string plain = f.user("plain");
  CHECK_FALSE(*authz.has_permission("default", plain, "api-bypass-rate-limit"));
  CHECK_FALSE(*authz.has_permission("default", plain, "no-such-permission"));
  CHECK_FALSE(*authz.has_permission("default", "no-such-user", "api-bypass-rate-limit"));

  std::string admin = f.user("admin", "", {"admin"});
  REQUIRE(f.storage().set_user_active("default", admin, false).ok());
  CHECK_FALSE(*authz.has_permission("default", admin, "api-bypass-rate-limit"));
}

TEST_CASE("authorization: declared permissions reach every workspace, stored roles win") {
  ServicesFixture f;
  REQUIRE(f.storage().add_workspace("early").ok());
  REQUIRE(f.storage().ensure_permission("early", "user-generate-access-token", {"bot"}).ok());
  REQUIRE(f->declare_permission("user-generate-access-token", {"admin"}).ok());
  CHECK(*f.storage().permission_roles("default", "user-generate-access-token") ==
        std::vector<std::string>{"admin"});
  CHECK(*f.storage().permission_roles("early", "user-generate-access-token") ==
        std::vector<std::string>{"bot"});

  // A workspace created after start gets the built-in and declared permissions on first use.
  REQUIRE(f.storage().add_workspace("late").ok());
  std::string admin = f.user("boss", "", {"admin"}, "late");
  std::string bot = f.user("robot", "", {"bot"}, "late");
  auto& authz = f->authorization();
  CHECK(*authz.has_permission("late", admin, "user-generate-access-token"));
  CHECK_FALSE(*authz.has_permission("late", bot, "user-generate-access-token"));
  CHECK(*authz.has_permission("late", bot, "api-bypass-rate-limit"));
  CHECK(f.storage().permission_roles("late", "user-generate-access-token").ok());

  // Roles are checked in the user's own workspace only.
  std::string default_user = f.user("boss");
  CHECK_FALSE(*authz.has_permission("default", default_user, "user-generate-access-token"));
  CHECK_FALSE(*authz.has_permission("default", admin, "user-generate-access-token"));
}

TEST_CASE("resolve_workspace: port stripped, case ignored, default when unmapped") {
  ServicesFixture f;
  REQUIRE(f.storage().add_workspace("acme").ok());
  REQUIRE(f.storage().map_host("chat.acme.example", "acme").ok());
  REQUIRE(f.storage().map_host("[::1]", "acme").ok());
  CHECK(*f->resolve_workspace("chat.acme.example") == "acme");
  CHECK(*f->resolve_workspace("Chat.ACME.example:3000") == "acme");
  CHECK(*f->resolve_workspace("chat.acme.example.") == "acme");
  CHECK(*f->resolve_workspace("[::1]:3000") == "acme");
  CHECK(*f->resolve_workspace("localhost:3000") == "default");
  CHECK(*f->resolve_workspace("") == "default");
  CHECK(f.storage().list_workspaces()->size() == 2);
}

TEST_CASE("audit: record stores the event with the host's time, durably") {
  ServicesFixture f;
  f.clock->advance_ms(5000);
  std::int64_t before = f.clock->now_ms();
  hostsdk::AuditEvent event;
  event.workspace = "default";
  event.action = "users.createToken";
  event.caller_id = "caller";
  event.target_id = "target";
  event.client_address = "203.0.113.9";
  event.outcome = "refused";
  event.reason = "gate-closed";
  REQUIRE(f->audit().record(event).ok());
  CHECK(f->audit().record(hostsdk::AuditEvent{}).code() == StatusCode::kInvalidArgument);

  auto reopened = host::open_storage(f.db_path);  // what is on disk, not what is cached
  REQUIRE(reopened.ok());
  host::AuditFilter filter;
  filter.workspace = "default";
  auto records = reopened.value()->list_audit(filter);
  REQUIRE(records.ok());
  REQUIRE(records->size() == 1);
  const auto& r = records->front();
  CHECK(r.time_ms >= before);
  CHECK(r.time_ms <= f.clock->now_ms());
  CHECK(r.action == "users.createToken");
  CHECK(r.caller_id == "caller");
  CHECK(r.target_id == "target");
  CHECK(r.client_address == "203.0.113.9");
  CHECK(r.outcome == "refused");
  CHECK(r.reason == "gate-closed");
}

TEST_CASE("metrics: counters by name and labels in Prometheus text format") {
  ServicesFixture f;
  auto& metrics = f->metrics();
  CHECK(f->render_metrics().empty());
  metrics.count("rct_tokens_issued_total", "", 1);
  metrics.count("rct_tokens_issued_total", "", 2);
  metrics.count("rct_refusals_total", "reason=\"gate-closed\"", 1);
  metrics.count("rct_refusals_total", "reason=\"unknown-user\"", 4);
  metrics.count("bad name", "", 1);
  metrics.count("rct_bad_labels", "a=\"1\"}\n", 1);
  CHECK(f->render_metrics() ==
        "# TYPE rct_refusals_total counter\n"
        "rct_refusals_total{reason=\"gate-closed\"} 1\n"
        "rct_refusals_total{reason=\"unknown-user\"} 4\n"
        "# TYPE rct_tokens_issued_total counter\n"
        "rct_tokens_issued_total 3\n");

  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) metrics.count("rct_parallel_total", "", 1);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(f->render_metrics().find("rct_parallel_total 8000\n") != std::string::npos);
}

TEST_CASE("logger: messages reach spdlog verbatim, one line each") {
  ServicesFixture f;
  std::ostringstream out;
  auto previous = spdlog::default_logger();
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto capture = std::make_shared<spdlog::logger>("capture", sink);
  capture->set_pattern("%l %v");
  capture->set_level(spdlog::level::debug);
  spdlog::set_default_logger(capture);

  f->logger().log(hostsdk::LogLevel::kWarn, "braces {} stay {0}\ninjected line");
  f->logger().log(hostsdk::LogLevel::kDebug, "debug too");
  spdlog::set_default_logger(previous);

  CHECK(out.str() == "warning braces {} stay {0}\\ninjected line\ndebug debug too\n");
}
