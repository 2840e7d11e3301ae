// The hostsdk::Host handed to one plugin: its own recording Registry plus the host's
// SDK services. Lives as long as the plugin does.
#pragma once

#include "hostsdk/plugin.h"
#include "loader/recording_registry.h"
#include "services/services.h"

namespace host::loader {

class HostAdapter final : public hostsdk::Host {
 public:
  explicit HostAdapter(Services& services) : services_(services) {}

  hostsdk::Registry& registry() noexcept override { return registry_; }
  hostsdk::Users& users() noexcept override { return services_.users(); }
  hostsdk::Sessions& sessions() noexcept override { return services_.sessions(); }
  hostsdk::Authorization& authorization() noexcept override { return services_.authorization(); }
  hostsdk::Settings& settings() noexcept override { return services_.settings(); }
  hostsdk::Audit& audit() noexcept override { return services_.audit(); }
  hostsdk::Logger& logger() noexcept override { return services_.logger(); }
  hostsdk::Metrics& metrics() noexcept override { return services_.metrics(); }

  RecordingRegistry& recording() noexcept { return registry_; }

 private:
  Services& services_;
  RecordingRegistry registry_;
};

}  // namespace host::loader
