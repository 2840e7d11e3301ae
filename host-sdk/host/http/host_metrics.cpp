// Counts requests by (method, route, status) with the summed duration, and rate-limit
// refusals by route.
#include "http/host_metrics.h"

#include <fmt/format.h>

#include <tuple>

namespace host::http {

void HostMetrics::record(std::string_view method, std::string_view route, int status,
                         double duration_ms) {
  std::lock_guard lock(mutex_);
  auto it = requests_.find(KeyView{method, route, status});
  if (it == requests_.end()) {
    it = requests_.emplace(Key{std::string(method), std::string(route), status}, Value{}).first;
  }
  Value& v = it->second;
  ++v.count;
  v.duration_ms_sum += duration_ms;
}

void HostMetrics::rate_limited(std::string_view route) {
  std::lock_guard lock(mutex_);
  ++rate_limited_[std::string(route)];
}

std::string HostMetrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP rchost_http_requests_total HTTP requests answered by the host.\n";
  out += "# TYPE rchost_http_requests_total counter\n";
  for (const auto& [k, v] : requests_) {
    out +=
        fmt::format("rchost_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
                    k.method, k.route, k.status, v.count);
  }
  out += "# HELP rchost_http_request_duration_ms_sum Summed handling time in milliseconds.\n";
  out += "# TYPE rchost_http_request_duration_ms_sum counter\n";
  for (const auto& [k, v] : requests_) {
    out += fmt::format(
        "rchost_http_request_duration_ms_sum{{method=\"{}\",route=\"{}\",status=\"{}\"}} {:.3f}\n",
        k.method, k.route, k.status, v.duration_ms_sum);
  }
  out += "# HELP rchost_rate_limited_total Requests refused by the rate limiter.\n";
  out += "# TYPE rchost_rate_limited_total counter\n";
  for (const auto& [route, n] : rate_limited_) {
    out += fmt::format("rchost_rate_limited_total{{route=\"{}\"}} {}\n", route, n);
  }
  return out;
}

}  // namespace host::http
