// The SDK's Metrics service: thread-safe counters keyed by name and label text, rendered in
// the Prometheus text exposition format.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "hostsdk/services.h"

namespace host {

class MetricsService final : public hostsdk::Metrics {
 public:
  void count(std::string_view name, std::string_view labels, std::uint64_t delta) noexcept override;
  // "# TYPE name counter" then "name{labels} value" per series, names in order.
  std::string render() const;

 private:
  mutable std::mutex mutex_;
  // name -> labels -> value
  std::map<std::string, std::map<std::string, std::uint64_t, std::less<>>, std::less<>> counters_;
};

}  // namespace host
