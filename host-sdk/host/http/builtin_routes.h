// The host's own endpoints (login, me, logout, info, health, metrics, and the test clock
// when enabled), as RouteHandlers so the dispatcher treats them like plugin routes.
#pragma once

#include <memory>

#include "http/host_metrics.h"
#include "http/route_table.h"
#include "services/clock.h"
#include "services/services.h"

namespace host::http {

class BuiltinRoutes {
 public:
  // `test_clock` non-null adds POST /api/test/clock/advance (expiry tests only).
  BuiltinRoutes(Services& services, const HostMetrics& metrics,
                std::shared_ptr<OffsetClock> test_clock);
  ~BuiltinRoutes();
  BuiltinRoutes(const BuiltinRoutes&) = delete;
  BuiltinRoutes& operator=(const BuiltinRoutes&) = delete;

  void add_to(RouteTable& table);

 private:
  struct Handlers;
  std::unique_ptr<Handlers> handlers_;
  bool test_clock_ = false;
};

}  // namespace host::http
