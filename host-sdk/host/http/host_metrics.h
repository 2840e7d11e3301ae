// The host's own series, rendered in Prometheus text format after the services' counters on
// GET /metrics: requests and their latency by route and status, rate-limit refusals, and
// what the plugin loader did with each plugin.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace host::http {

class HostMetrics {
 public:
  // Upper bounds of the latency buckets, in seconds (then +Inf).
  static constexpr std::array<double, 13> kBucketBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

  HostMetrics();
  ~HostMetrics();
  HostMetrics(const HostMetrics&) = delete;
  HostMetrics& operator=(const HostMetrics&) = delete;

  // One answered request. `route` is the matched route's path, or "unmatched": label values
  // must come from a bounded set (never a raw request path). Lock-free once the route and
  // its (method, status) have been seen; safe from any thread.
  void record(std::string_view method, std::string_view route, int status,
              double duration_ms) noexcept;
  void rate_limited(std::string_view route) noexcept;
  // What the loader did with one plugin directory: loaded, or refused at the check `reason`.
  void plugin_load(std::string_view plugin, bool loaded, std::string_view reason);

  std::string render() const;

 private:
  static constexpr std::size_t kBuckets = kBucketBounds.size() + 1;  // and +Inf
  static constexpr std::size_t kShards = 4;   // counters per thread group, to spare cache lines
  static constexpr std::size_t kSeries = 32;  // (method, status) pairs per route
  static constexpr std::size_t kRoutes = 64;  // route labels; past it, one "other" label

  // One (method, status) of a route: per shard, its buckets and summed nanoseconds.
  struct alignas(64) Shard {
    std::array<std::atomic<std::uint64_t>, kBuckets> buckets{};
    std::atomic<std::uint64_t> sum_ns{0};
  };
  struct Series {
    std::atomic<std::uint32_t> key{0};  // 0: free; else see series_key()
    std::array<Shard, kShards> shards;
  };
  struct RouteSeries {
    std::string route;
    std::array<Series, kSeries> series;
    std::atomic<std::uint64_t> rate_limited{0};
  };

  RouteSeries* route_series(std::string_view route) noexcept;

  std::array<std::unique_ptr<RouteSeries>, kRoutes> routes_;
  std::atomic<std::size_t> route_count_{0};  // published prefix of routes_
  std::mutex adding_;                        // taken only to add a route
  mutable std::mutex plugins_mutex_;
  // (plugin, "loaded" or "refused", reason) -> directories with that outcome
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> plugins_;
};

}  // namespace host::http
