// The host's log output: one spdlog logger on stderr, shared with plugins through the
// host's logger service (both link the same libspdlog.so), as text or as JSON lines.
#pragma once

#include <string>

namespace host::cli {

// false when `level` is not one of trace, debug, info, warn, error, critical, off, or
// `format` not one of text (a line "<local time> <level> <message>") and json (one object per
// line: time (UTC), level, msg, and for request lines method, path, route, status,
// duration_ms, workspace, caller_id, request_id).
bool configure_logging(const std::string& level, const std::string& format);
bool configure_logging(const std::string& level);  // text

}  // namespace host::cli
