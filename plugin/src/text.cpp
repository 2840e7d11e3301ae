// Trimming, case folding and UTF-8 validation without locale or allocation, so that
// the plugin's behaviour does not depend on the host process's locale.
#include "text.h"

#include <cstdint>

namespace create_token {

namespace {

bool is_js_space(std::uint32_t cp) noexcept {
  switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0xFEFF:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

// Decodes one code point starting at `at`; returns its length in bytes, 0 if invalid.
std::size_t decode(std::string_view s, std::size_t at, std::uint32_t& cp) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(at);
  std::size_t len = 0;
  std::uint32_t min = 0;
  if (lead < 0x80) {
    cp = lead;
    return 1;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2, cp = lead & 0x1F, min = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3, cp = lead & 0x0F, min = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (at + len > s.size()) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    const unsigned char c = byte(at + i);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// Length of the UTF-8 sequence ending at `end` (exclusive), 0 if none is valid there.
std::size_t last_length(std::string_view s, std::size_t end, std::uint32_t& cp) noexcept {
  for (std::size_t len = 1; len <= 4 && len <= end; ++len) {
    if (decode(s, end - len, cp) == len) return len;
  }
  return 0;
}

}  // namespace

std::string_view trim_whitespace(std::string_view text) noexcept {
  std::uint32_t cp = 0;
  while (!text.empty()) {
    const std::size_t len = decode(text, 0, cp);
    if (len == 0 || !is_js_space(cp)) break;
    text.remove_prefix(len);
  }
  while (!text.empty()) {
    const std::size_t len = last_length(text, text.size(), cp);
    if (len == 0 || !is_js_space(cp)) break;
    text.remove_suffix(len);
  }
  return text;
}

bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool is_valid_utf8(std::string_view text) noexcept {
  std::uint32_t cp = 0;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t len = decode(text, at, cp);
    if (len == 0) return false;
    at += len;
  }
  return true;
}

}  // namespace create_token
