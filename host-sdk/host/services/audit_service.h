// The SDK's Audit service: each event is appended to storage with the host's time, and
// record() returns only once it is durable. Events carry no token field by construction.
#pragma once

#include "hostsdk/services.h"
#include "services/clock.h"
#include "storage/storage.h"

namespace host {

class AuditService final : public hostsdk::Audit {
 public:
  AuditService(Storage& storage, const Clock& clock) : storage_(storage), clock_(clock) {}

  Status record(const hostsdk::AuditEvent& event) noexcept override;

 private:
  Storage& storage_;
  const Clock& clock_;
};

}  // namespace host
