// Fixed-window counters, swept of expired windows now and then so memory stays bounded
// by the number of clients active within one window.
#include "http/rate_limiter.h"

#include <functional>

namespace host::http {

std::int64_t RateDecision::wait_seconds(std::int64_t now_ms) const {
  std::int64_t left = reset_ms - now_ms;
  if (left <= 0) return 1;
  return (left + 999) / 1000;
}

RateDecision RateLimiter::hit(const std::string& key, const RateLimitRule& rule,
                              std::int64_t now_ms) {
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  std::lock_guard lock(shard.mutex);

  if (now_ms >= shard.next_sweep_ms && shard.windows.size() > 1024) {
    for (auto it = shard.windows.begin(); it != shard.windows.end();) {
      it = it->second.reset_ms <= now_ms ? shard.windows.erase(it) : std::next(it);
    }
    shard.next_sweep_ms = now_ms + 10'000;
  }

  Window& w = shard.windows[key];
  if (now_ms >= w.reset_ms) {
    w.reset_ms = now_ms + static_cast<std::int64_t>(rule.window_seconds) * 1000;
    w.count = 0;
  }
  RateDecision d;
  d.limit = rule.requests;
  d.reset_ms = w.reset_ms;
  if (w.count >= rule.requests) {
    d.allowed = false;
    d.remaining = 0;
    return d;
  }
  ++w.count;
  d.remaining = rule.requests - w.count;
  return d;
}

}  // namespace host::http
