// The CLI's times: ISO-8601 UTC output (token list, audit list --json) and the --since
// input of audit list, absolute or relative.
#include <doctest/doctest.h>

#include "cli/time_text.h"

using host::cli::iso8601_utc;
using host::cli::parse_time;

namespace {
constexpr std::int64_t kNow = 1'714'564'800'000;  // 2024-05-01T12:00:00Z
}  // namespace

TEST_CASE("time: ISO-8601 UTC output") {
  CHECK(iso8601_utc(0) == "1970-01-01T00:00:00Z");
  CHECK(iso8601_utc(kNow) == "2024-05-01T12:00:00Z");
  CHECK(iso8601_utc(kNow + 999) == "2024-05-01T12:00:00Z");
  CHECK(iso8601_utc(kNow + 90LL * 86'400'000) == "2024-07-30T12:00:00Z");
}

TEST_CASE("time: ISO-8601 input, UTC unless an offset is given") {
  CHECK(parse_time("2024-05-01T12:00:00Z", 0) == kNow);
  CHECK(parse_time("2024-05-01T12:00:00", 0) == kNow);
  CHECK(parse_time("2024-05-01 12:00:00", 0) == kNow);
  CHECK(parse_time("2024-05-01T12:00Z", 0) == kNow);
  CHECK(parse_time("2024-05-01T12:00:00.250Z", 0) == kNow + 250);
  CHECK(parse_time("2024-05-01T14:00:00+02:00", 0) == kNow);
  CHECK(parse_time("2024-05-01T06:30:00-0530", 0) == kNow);
  CHECK(parse_time("2024-05-01", 0) == kNow - 12 * 3'600'000);
  CHECK(parse_time(iso8601_utc(kNow), 0) == kNow);
}

TEST_CASE("time: relative ages before now") {
  CHECK(parse_time("30s", kNow) == kNow - 30'000);
  CHECK(parse_time("30m", kNow) == kNow - 30 * 60'000);
  CHECK(parse_time("1h", kNow) == kNow - 3'600'000);
  CHECK(parse_time("7d", kNow) == kNow - 7 * 86'400'000LL);
  CHECK(parse_time("2w", kNow) == kNow - 14 * 86'400'000LL);
  CHECK(parse_time("0m", kNow) == kNow);
}

TEST_CASE("time: anything else is refused") {
  for (const char* bad :
       {"", "h", "1", "-1h", "1y", "1.5h", "1 h", "yesterday", "2024-13-01", "2024-02-30",
        "2024-05-01T25:00", "2024-05-01T12", "2024-05-01T12:00:00Zjunk", "2024-5-1",
        "2024-05-01T12:00:00+2", "99999999999999999999h"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_time(bad, kNow).has_value());
  }
}
