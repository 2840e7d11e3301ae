// Captures log lines in memory; the host's own guard logs through the same path.
// Nothing is echoed, so a test's output stays free of whatever a plugin logs.
#include "mock_logger.h"

namespace hostsdk::mock::detail {

void MockLogger::log(LogLevel level, std::string_view message) noexcept {
  std::lock_guard lock(state_.mutex);
  state_.logs.push_back(LogLine{level, std::string(message)});
}

}  // namespace hostsdk::mock::detail
