// rchost user seed: bulk-creates N users <prefix>1..<prefix>N (role user, no password, so
// they can hold tokens but never log in), for benchmarks; batches of one transaction each.
#include <algorithm>
#include <chrono>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "services/accounts.h"
#include "services/crypto.h"

namespace host::cli {
namespace {

// Big enough that a million users are twenty commits, small enough to bound memory.
constexpr std::size_t kSeedBatch = 50'000;

}  // namespace

int run_user_seed(const UserSeedOptions& o) {
  if (!valid_username(o.prefix + std::to_string(o.count))) {
    std::cerr << "rchost: user seed: \"" << o.prefix
              << "<n>\" is not a valid username (1 to 64 of [0-9A-Za-z._-])\n";
    return kExitUsage;
  }
  int code = kExitOk;
  auto services = open_services(o.storage, nullptr, code);
  if (!services) return code;
  if (Status s = require_workspace(services->storage(), o.storage.workspace); !s.ok()) {
    return report_failure("user seed", s);
  }
  auto started = std::chrono::steady_clock::now();
  std::int64_t now_ms = services->clock().now_ms();
  std::vector<UserRecord> batch;
  batch.reserve(std::min<std::size_t>(o.count, kSeedBatch));
  for (std::size_t n = 1; n <= o.count; ++n) {
    UserRecord& user = batch.emplace_back();
    user.workspace = o.storage.workspace;
    user.id = crypto::new_user_id();
    user.username = o.prefix + std::to_string(n);
    user.name = user.username;
    user.roles = {"user"};
    user.created_ms = now_ms;
    if (batch.size() == kSeedBatch || n == o.count) {
      // Inserting in key order walks the primary-key B-tree once instead of at random.
      std::sort(batch.begin(), batch.end(),
                [](const UserRecord& a, const UserRecord& b) { return a.id < b.id; });
      if (Status s = services->storage().add_users(batch); !s.ok()) {
        return report_failure("user seed (users " + std::to_string(n + 1 - batch.size()) + " to " +
                                  std::to_string(n) + ")",
                              s);
      }
      batch.clear();
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "seeded " << o.count << " users " << o.prefix << "1.." << o.prefix << o.count
            << " in " << seconds << " s\n";
  return kExitOk;
}

}  // namespace host::cli
