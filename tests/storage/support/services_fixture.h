// Services opened on a fresh SQLite file with a movable clock, for the services suite.
// The environment is not a settings source unless a test asks for it.
#pragma once

#include <memory>
#include <string>

#include <doctest/doctest.h>

#include "services/services.h"
#include "support/temp_dir.h"
#include "support/test_records.h"

namespace rct_test {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

class ServicesFixture {
 public:
  explicit ServicesFixture(bool settings_from_environment = false)
      : clock(std::make_shared<host::OffsetClock>()) {
    db_path = dir.file("data/host.db");
    host::ServicesConfig config;
    config.storage_url = "sqlite:" + db_path;
    config.settings_from_environment = settings_from_environment;
    auto opened = host::Services::open(config, clock);
    REQUIRE_MESSAGE(opened.ok(), opened.status().message());
    services = std::move(opened).value();
  }

  host::Services& operator*() { return *services; }
  host::Services* operator->() { return services.get(); }
  host::Storage& storage() { return services->storage(); }

  // A user with the given roles in the default workspace; returns the id.
  std::string user(const std::string& username, const std::string& password = "",
                   std::vector<std::string> roles = {"user"}, const std::string& ws = "default") {
    auto id = services->add_user(ws, username, username, password, roles);
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    return id.value();
  }

  TempDir dir;
  std::string db_path;
  std::shared_ptr<host::OffsetClock> clock;
  std::unique_ptr<host::Services> services;
};

// Sets an environment variable for the life of the object.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_.c_str()); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
};

}  // namespace rct_test
