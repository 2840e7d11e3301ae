// Real host services over a temporary SQLite file, for loader tests (plugins get the
// host's SDK services through the loader's Host adapter).
#pragma once

#include <memory>
#include <stdexcept>

#include "host_process.h"
#include "services/services.h"

namespace rct {

struct ServicesFixture {
  TempDir dir;
  std::unique_ptr<host::Services> services;

  ServicesFixture() {
    host::ServicesConfig config;
    config.storage_url = "sqlite:" + (dir.path() / "host.db").string();
    config.settings_from_environment = false;
    auto opened = host::Services::open(config, nullptr);
    if (!opened.ok()) throw std::runtime_error(opened.status().message());
    services = std::move(opened).value();
  }
};

}  // namespace rct
