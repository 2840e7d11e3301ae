// Fixed-window request counting per key (workspace, route, client address), as Rocket.Chat's
// rate limiter does: the window opens at the first request and resets after window_seconds.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "http/route_table.h"

namespace host::http {

struct RateDecision {
  bool allowed = true;
  std::uint32_t limit = 0;
  std::uint32_t remaining = 0;
  std::int64_t reset_ms = 0;  // epoch ms when the window resets

  // Whole seconds until reset, rounded up, at least 1 when refused.
  std::int64_t wait_seconds(std::int64_t now_ms) const;
};

class RateLimiter {
 public:
  RateDecision hit(const std::string& key, const RateLimitRule& rule, std::int64_t now_ms);

 private:
  struct Window {
    std::int64_t reset_ms = 0;
    std::uint32_t count = 0;
  };
  // Sharded so that threads rarely wait on each other.
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Window> windows;
    std::int64_t next_sweep_ms = 0;
  };
  static constexpr std::size_t kShards = 16;
  std::array<Shard, kShards> shards_;
};

}  // namespace host::http
