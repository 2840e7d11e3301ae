// hostsdk::Logger that captures lines instead of writing them, so tests can assert what
// was (and was not) logged.
#pragma once

#include "hostsdk/services.h"
#include "mock_state.h"

namespace hostsdk::mock::detail {

class MockLogger final : public Logger {
 public:
  explicit MockLogger(MockState& state) : state_(state) {}

  void log(LogLevel level, std::string_view message) noexcept override;

 private:
  MockState& state_;
};

}  // namespace hostsdk::mock::detail
