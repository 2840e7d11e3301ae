// The host's own request counters, rendered in Prometheus text format after the
// services' counters on GET /metrics.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

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
  };
  // Compares keys through views, so that counting an existing series allocates nothing.
  struct KeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::tuple<std::string_view, std::string_view, int>(a.method, a.route, a.status) <
             std::tuple<std::string_view, std::string_view, int>(b.method, b.route, b.status);
    }
  };
  struct KeyView {
    std::string_view method, route;
    int status;
  };
  struct Value {
    std::uint64_t count = 0;
    double duration_ms_sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<Key, Value, KeyLess> requests_;
  std::map<std::string, std::uint64_t> rate_limited_;
};

}  // namespace host::http
