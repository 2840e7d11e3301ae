// hostsdk::Metrics as an in-memory map of counters keyed `name` or `name{labels}`,
// the way Prometheus text exposition names a series.
#pragma once

#include "hostsdk/services.h"
#include "mock_state.h"

namespace hostsdk::mock::detail {

class MockMetrics final : public Metrics {
 public:
  explicit MockMetrics(MockState& state) : state_(state) {}

  void count(std::string_view name, std::string_view labels, std::uint64_t delta) noexcept override;

 private:
  MockState& state_;
};

}  // namespace hostsdk::mock::detail
