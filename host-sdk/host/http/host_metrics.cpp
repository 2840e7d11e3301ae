// Request counts and latency histograms in fixed buckets, kept in relaxed atomic counters
// spread over a few shards (threads share no cache line in the common case), and summed only
// when rendered. Label values are escaped as the text format requires.
#include "http/host_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

namespace host::http {
namespace {

constexpr std::array<std::string_view, 8> kMethods = {"GET",    "POST", "PUT",     "PATCH",
                                                      "DELETE", "HEAD", "OPTIONS", "OTHER"};

std::uint32_t method_index(std::string_view method) noexcept {
  for (std::uint32_t i = 0; i + 1 < kMethods.size(); ++i) {
    if (kMethods[i] == method) return i;
  }
  return kMethods.size() - 1;
}

// Bits: 31 set (so never 0), 16..23 method index, 0..15 status (0: "other").
std::uint32_t series_key(std::uint32_t method, int status) noexcept {
  std::uint32_t code = status >= 100 && status <= 999 ? static_cast<std::uint32_t>(status) : 0;
  return 0x80000000u | (method << 16) | code;
}

std::string_view key_method(std::uint32_t key) noexcept { return kMethods[(key >> 16) & 0xff]; }

std::string key_status(std::uint32_t key) {
  std::uint32_t code = key & 0xffff;
  return code == 0 ? std::string("other") : std::to_string(code);
}

// Each thread keeps to one shard, chosen in turn as threads first record.
std::size_t my_shard(std::size_t shards) noexcept {
  static std::atomic<std::size_t> next{0};
  thread_local std::size_t mine = next.fetch_add(1, std::memory_order_relaxed);
  return mine % shards;
}

// A label value in the text exposition format: backslash, quote and newline escaped.
std::string label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string seconds_text(double seconds) { return fmt::format("{}", seconds); }

}  // namespace

HostMetrics::HostMetrics() = default;
HostMetrics::~HostMetrics() = default;

HostMetrics::RouteSeries* HostMetrics::route_series(std::string_view route) noexcept {
  std::size_t count = route_count_.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < count; ++i) {
    if (routes_[i]->route == route) return routes_[i].get();
  }
  try {
    std::lock_guard lock(adding_);
    count = route_count_.load(std::memory_order_acquire);
    for (std::size_t i = 0; i < count; ++i) {
      if (routes_[i]->route == route) return routes_[i].get();
    }
    // Bounded: past the last slot every further route shares it as "other".
    if (count == kRoutes) return routes_[kRoutes - 1].get();
    auto added = std::make_unique<RouteSeries>();
    added->route = count == kRoutes - 1 ? std::string("other") : std::string(route);
    routes_[count] = std::move(added);
    route_count_.store(count + 1, std::memory_order_release);
    return routes_[count].get();
  } catch (...) {
    return nullptr;  // out of memory: the request goes uncounted
  }
}

void HostMetrics::record(std::string_view method, std::string_view route, int status,
                         double duration_ms) noexcept {
  RouteSeries* r = route_series(route);
  if (r == nullptr) return;
  std::uint32_t key = series_key(method_index(method), status);
  // Open addressing over the route's series; the last one takes whatever finds no room.
  Series* series = &r->series[kSeries - 1];
  for (std::size_t probe = 0, at = key % (kSeries - 1); probe < kSeries - 1;
       ++probe, at = (at + 1) % (kSeries - 1)) {
    std::uint32_t seen = r->series[at].key.load(std::memory_order_acquire);
    if (seen == 0 &&
        r->series[at].key.compare_exchange_strong(seen, key, std::memory_order_acq_rel)) {
      seen = key;
    }
    if (seen == key) {
      series = &r->series[at];
      break;
    }
  }
  if (series == &r->series[kSeries - 1]) {
    std::uint32_t overflow = series_key(kMethods.size() - 1, 0);
    std::uint32_t expected = 0;
    series->key.compare_exchange_strong(expected, overflow, std::memory_order_acq_rel);
  }

  double seconds = std::max(0.0, duration_ms / 1000.0);
  std::size_t bucket = kBuckets - 1;
  for (std::size_t i = 0; i < kBucketBounds.size(); ++i) {
    if (seconds <= kBucketBounds[i]) {
      bucket = i;
      break;
    }
  }
  Shard& shard = series->shards[my_shard(kShards)];
  shard.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  double ns = std::min(duration_ms * 1e6, 1e18);
  shard.sum_ns.fetch_add(ns > 0 ? static_cast<std::uint64_t>(std::llround(ns)) : 0,
                         std::memory_order_relaxed);
}

void HostMetrics::rate_limited(std::string_view route) noexcept {
  if (RouteSeries* r = route_series(route)) r->rate_limited.fetch_add(1, std::memory_order_relaxed);
}

void HostMetrics::plugin_load(std::string_view plugin, bool loaded, std::string_view reason) {
  std::lock_guard lock(plugins_mutex_);
  ++plugins_[{std::string(plugin), loaded ? "loaded" : "refused", std::string(reason)}];
}

std::string HostMetrics::render() const {
  struct Totals {
    std::array<std::uint64_t, kBuckets> buckets{};
    std::uint64_t sum_ns = 0;
    std::uint64_t count() const {
      std::uint64_t n = 0;
      for (auto b : buckets) n += b;
      return n;
    }
  };
  // (route, method, status) for the request counter; (route, status) for the histogram,
  // summed over methods. Read once, so each histogram's +Inf bucket equals its count.
  std::map<std::tuple<std::string, std::string_view, std::string>, std::uint64_t> requests;
  std::map<std::pair<std::string, std::string>, Totals> latency;
  std::vector<std::pair<std::string, std::uint64_t>> limited;
  std::size_t count = route_count_.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < count; ++i) {
    const RouteSeries& r = *routes_[i];
    std::string route = label(r.route);
    if (auto n = r.rate_limited.load(std::memory_order_relaxed); n > 0)
      limited.emplace_back(route, n);
    for (const Series& s : r.series) {
      std::uint32_t key = s.key.load(std::memory_order_acquire);
      if (key == 0) continue;
      Totals t;
      for (const Shard& shard : s.shards) {
        for (std::size_t b = 0; b < kBuckets; ++b) {
          t.buckets[b] += shard.buckets[b].load(std::memory_order_relaxed);
        }
        t.sum_ns += shard.sum_ns.load(std::memory_order_relaxed);
      }
      if (t.count() == 0) continue;
      std::string status = key_status(key);
      requests[{route, key_method(key), status}] += t.count();
      Totals& sum = latency[{route, status}];
      for (std::size_t b = 0; b < kBuckets; ++b) sum.buckets[b] += t.buckets[b];
      sum.sum_ns += t.sum_ns;
    }
  }

  std::string out;
  auto line = std::back_inserter(out);
  out += "# HELP rchost_http_requests_total HTTP requests answered by the host.\n";
  out += "# TYPE rchost_http_requests_total counter\n";
  for (const auto& [k, n] : requests) {
    const auto& [route, method, status] = k;
    fmt::format_to(line,
                   "rchost_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
                   method, route, status, n);
  }
  out +=
      "# HELP rchost_http_request_duration_seconds Time from a request's dispatch to its answer "
      "(its writes committed), by route and status.\n";
  out += "# TYPE rchost_http_request_duration_seconds histogram\n";
  for (const auto& [k, t] : latency) {
    const auto& [route, status] = k;
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kBuckets; ++b) {
      cumulative += t.buckets[b];
      std::string le = b < kBucketBounds.size() ? seconds_text(kBucketBounds[b]) : "+Inf";
      fmt::format_to(
          line,
          "rchost_http_request_duration_seconds_bucket{{route=\"{}\",status=\"{}\",le=\"{}\"}} "
          "{}\n",
          route, status, le, cumulative);
    }
    fmt::format_to(
        line, "rchost_http_request_duration_seconds_sum{{route=\"{}\",status=\"{}\"}} {:.9f}\n",
        route, status, static_cast<double>(t.sum_ns) / 1e9);
    fmt::format_to(line,
                   "rchost_http_request_duration_seconds_count{{route=\"{}\",status=\"{}\"}} {}\n",
                   route, status, cumulative);
  }
  out += "# HELP rchost_rate_limited_total Requests refused by the rate limiter.\n";
  out += "# TYPE rchost_rate_limited_total counter\n";
  for (const auto& [route, n] : limited) {
    fmt::format_to(line, "rchost_rate_limited_total{{route=\"{}\"}} {}\n", route, n);
  }
  out +=
      "# HELP rchost_plugin_load Plugins the loader looked at when the host started: loaded, "
      "or refused with the check that refused them.\n";
  out += "# TYPE rchost_plugin_load gauge\n";
  std::lock_guard lock(plugins_mutex_);
  for (const auto& [k, n] : plugins_) {
    const auto& [plugin, result, reason] = k;
    fmt::format_to(line, "rchost_plugin_load{{plugin=\"{}\",result=\"{}\",reason=\"{}\"}} {}\n",
                   label(plugin), result, label(reason), n);
  }
  return out;
}

}  // namespace host::http
