// The host's own request counters, rendered in Prometheus text format after the
// services' counters on GET /metrics.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace host::http {

class HostMetrics {
 public:
  // `route` is the matched route path, or "unmatched"; bounded label values only.
  void record(std::string_view method, std::string_view route, int status, double duration_ms);
  void rate_limited(std::string_view route);
  std::string render() const;

 private:
  struct Key {
    std::string method, route;
    int status;
    bool operator<(const Key& o) const {
      return std::tie(method, route, status) < std::tie(o.method, o.route, o.status);
    }
  };
  struct Value {
    std::uint64_t count = 0;
    double duration_ms_sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<Key, Value> requests_;
  std::map<std::string, std::uint64_t> rate_limited_;
};

}  // namespace host::http
