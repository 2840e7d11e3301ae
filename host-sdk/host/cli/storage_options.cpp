// Opens the services for a CLI command and reports failures with scriptable exit codes.
// The default workspace is created by Services::open, so it always exists.
#include "cli/storage_options.h"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/exit_codes.h"

namespace host::cli {

std::string storage_url(const StorageOptions& options) {
  if (!options.storage_url.empty()) return options.storage_url;
  return "sqlite:" + (std::filesystem::path(options.data_dir) / "host.db").string();
}

std::unique_ptr<Services> open_services(const StorageOptions& options, std::shared_ptr<Clock> clock,
                                        int& exit_code, std::chrono::milliseconds cache_ttl) {
  // A missing data directory is created by the SQLite storage, readable by its owner only.
  ServicesConfig config;
  config.storage_url = storage_url(options);
  config.cache_ttl = cache_ttl;
  auto services = Services::open(config, std::move(clock));
  if (!services.ok()) {
    exit_code = report_failure("cannot open storage " + config.storage_url, services.status());
    return nullptr;
  }
  exit_code = kExitOk;
  return std::move(services).value();
}

int report_failure(const std::string& what, const hostsdk::Status& status) {
  std::cerr << "rchost: " << what << ": " << status.message() << "\n";
  return exit_code_for(status);
}

hostsdk::Status require_workspace(Storage& storage, const std::string& workspace) {
  auto all = storage.list_workspaces();
  if (!all.ok()) return all.status();
  if (std::find(all->begin(), all->end(), workspace) == all->end()) {
    return hostsdk::Status::NotFound("unknown workspace \"" + workspace +
                                     "\" (create it with: rchost workspace add " + workspace + ")");
  }
  return hostsdk::Status::Ok();
}

}  // namespace host::cli
