// hostsdk::Audit in memory: each event is copied into an owned RecordedAuditEvent,
// stamped with the mock clock, for the test to inspect.
#pragma once

#include "hostsdk/services.h"
#include "mock_state.h"

namespace hostsdk::mock::detail {

class MockAudit final : public Audit {
 public:
  explicit MockAudit(MockState& state) : state_(state) {}

  Status record(const AuditEvent& event) noexcept override;

 private:
  MockState& state_;
};

}  // namespace hostsdk::mock::detail
