// The host's log output: one spdlog logger on stderr, shared with plugins through the
// host's logger service (both link the same libspdlog.so).
#pragma once

#include <string>

namespace host::cli {

// false when `level` is not one of trace, debug, info, warn, error, off.
bool configure_logging(const std::string& level);

}  // namespace host::cli
