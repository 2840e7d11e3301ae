// Where a command finds its data: --data DIR and --storage URL (default sqlite:DIR/host.db),
// and opening the services over that storage for one command.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "services/clock.h"
#include "services/services.h"

namespace host::cli {

struct StorageOptions {
  std::string data_dir = "./var";
  std::string storage_url;  // empty: sqlite:<data_dir>/host.db
  std::string workspace = "default";
};

std::string storage_url(const StorageOptions& options);

// Creates the data directory when needed. On failure prints the reason to stderr and
// returns the exit code in `exit_code`. `cache_ttl` > 0 caches storage reads (serve only).
std::unique_ptr<Services> open_services(const StorageOptions& options, std::shared_ptr<Clock> clock,
                                        int& exit_code, std::chrono::milliseconds cache_ttl = {});

// Prints "rchost: <what>: <status message>" to stderr and returns the matching exit code.
int report_failure(const std::string& what, const hostsdk::Status& status);

// kNotFound naming the workspace when storage does not know it.
hostsdk::Status require_workspace(Storage& storage, const std::string& workspace);

}  // namespace host::cli
