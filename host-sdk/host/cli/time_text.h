// Times as operators type and read them: ISO-8601 UTC on output; ISO-8601 or a relative
// age such as "30m" on input (audit list --since).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace host::cli {

// "2024-05-01T12:00:00Z" for a time in milliseconds since the epoch (seconds, UTC).
std::string iso8601_utc(std::int64_t time_ms);

// Milliseconds since the epoch for "2024-05-01", "2024-05-01T12:00", "...T12:00:00",
// "...T12:00:00.250", each optionally followed by "Z" or an offset "+02:00" / "-0530"
// (no zone: UTC; a space may replace the "T"), or for a relative age "<n>s", "<n>m",
// "<n>h", "<n>d", "<n>w" before `now_ms`. nullopt when `text` is neither.
std::optional<std::int64_t> parse_time(std::string_view text, std::int64_t now_ms);

}  // namespace host::cli
