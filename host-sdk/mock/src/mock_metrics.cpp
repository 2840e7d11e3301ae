// Adds to an in-memory counter; a series springs into existence on first use.
// Tests read it back with MockHost::counter().
#include "mock_metrics.h"

namespace hostsdk::mock::detail {

void MockMetrics::count(std::string_view name, std::string_view labels,
                        std::uint64_t delta) noexcept {
  std::lock_guard lock(state_.mutex);
  const std::string key = counter_key(name, labels);
  auto it = state_.counters.find(key);
  if (it == state_.counters.end()) it = state_.counters.emplace(key, 0).first;
  it->second += delta;
}

}  // namespace hostsdk::mock::detail
