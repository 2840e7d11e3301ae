// ISO-8601 formatting and parsing by hand over timegm/gmtime_r: the subset operators type,
// checked strictly (no trailing characters, real calendar dates).
#include "cli/time_text.h"

#include <charconv>
#include <ctime>

namespace host::cli {
namespace {

constexpr std::int64_t kSecondMs = 1000;

// Exactly `digits` decimal digits at `at`; advances `at`.
bool read_digits(std::string_view text, std::size_t& at, std::size_t digits, int& out) {
  if (at + digits > text.size()) return false;
  int value = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    char c = text[at + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  at += digits;
  out = value;
  return true;
}

bool read_char(std::string_view text, std::size_t& at, char c) {
  if (at < text.size() && text[at] == c) {
    ++at;
    return true;
  }
  return false;
}

std::optional<std::int64_t> parse_relative(std::string_view text, std::int64_t now_ms) {
  if (text.size() < 2) return std::nullopt;
  std::int64_t unit_ms = 0;
  switch (text.back()) {
    case 's':
      unit_ms = kSecondMs;
      break;
    case 'm':
      unit_ms = 60 * kSecondMs;
      break;
    case 'h':
      unit_ms = 3600 * kSecondMs;
      break;
    case 'd':
      unit_ms = 86400 * kSecondMs;
      break;
    case 'w':
      unit_ms = 7 * 86400 * kSecondMs;
      break;
    default:
      return std::nullopt;
  }
  std::string_view number = text.substr(0, text.size() - 1);
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
  // Up to 100 years back; larger ages are typos.
  if (ec != std::errc() || end != number.data() + number.size() || n < 0 ||
      n > 36500LL * 86400 * kSecondMs / unit_ms) {
    return std::nullopt;
  }
  return now_ms - n * unit_ms;
}

std::optional<std::int64_t> parse_iso(std::string_view text) {
  std::size_t at = 0;
  std::tm tm{};
  int year = 0, month = 0, day = 0;
  if (!read_digits(text, at, 4, year) || !read_char(text, at, '-') ||
      !read_digits(text, at, 2, month) || !read_char(text, at, '-') ||
      !read_digits(text, at, 2, day)) {
    return std::nullopt;
  }
  int hour = 0, minute = 0, second = 0, millis = 0;
  if (at < text.size() && (text[at] == 'T' || text[at] == 't' || text[at] == ' ')) {
    ++at;
    if (!read_digits(text, at, 2, hour) || !read_char(text, at, ':') ||
        !read_digits(text, at, 2, minute)) {
      return std::nullopt;
    }
    if (read_char(text, at, ':')) {
      if (!read_digits(text, at, 2, second)) return std::nullopt;
      if (read_char(text, at, '.') || read_char(text, at, ',')) {
        // 1 to 9 fraction digits; milliseconds kept.
        std::size_t start = at;
        int scale = 100;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9' && at - start < 9) {
          millis += (text[at] - '0') * scale;
          scale /= 10;
          ++at;
        }
        if (at == start) return std::nullopt;
      }
    }
  }
  std::int64_t offset_s = 0;
  if (at < text.size()) {
    if (text[at] == 'Z' || text[at] == 'z') {
      ++at;
    } else if (text[at] == '+' || text[at] == '-') {
      int sign = text[at] == '-' ? -1 : 1;
      ++at;
      int oh = 0, om = 0;
      if (!read_digits(text, at, 2, oh)) return std::nullopt;
      read_char(text, at, ':');
      if (!read_digits(text, at, 2, om) || oh > 23 || om > 59) return std::nullopt;
      offset_s = sign * (oh * 3600 + om * 60);
    } else {
      return std::nullopt;
    }
  }
  if (at != text.size()) return std::nullopt;
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 59) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t seconds = timegm(&tm);
  // timegm normalises 31 February into March: refuse dates that moved.
  if (tm.tm_mday != day || tm.tm_mon != month - 1) return std::nullopt;
  return (static_cast<std::int64_t>(seconds) - offset_s) * kSecondMs + millis;
}

}  // namespace

std::string iso8601_utc(std::int64_t time_ms) {
  std::time_t seconds = static_cast<std::time_t>(time_ms / kSecondMs);
  if (time_ms < 0 && time_ms % kSecondMs != 0) --seconds;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(text, n);
}

std::optional<std::int64_t> parse_time(std::string_view text, std::int64_t now_ms) {
  if (auto relative = parse_relative(text, now_ms)) return relative;
  return parse_iso(text);
}

}  // namespace host::cli
