// hostsdk::Settings in memory: workspace value, then the test-controlled environment map,
// then the declared default; kNotFound when none has a value.
#pragma once

#include "hostsdk/services.h"
#include "mock_state.h"

namespace hostsdk::mock::detail {

class MockSettings final : public Settings {
 public:
  explicit MockSettings(MockState& state) : state_(state) {}

  Result<std::string> get(std::string_view workspace, std::string_view name) noexcept override;

 private:
  MockState& state_;
};

}  // namespace hostsdk::mock::detail
