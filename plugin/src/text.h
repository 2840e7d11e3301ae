// Small text helpers the plugin needs: JavaScript-compatible trimming (Rocket.Chat trims
// with String.prototype.trim), ASCII case-insensitive equality and UTF-8 validation.
#pragma once

#include <string_view>

namespace create_token {

// Strips leading and trailing whitespace as JavaScript's trim() does (ASCII whitespace,
// NBSP, U+FEFF, U+2028/2029 and the other Unicode space separators). Input must be UTF-8.
std::string_view trim_whitespace(std::string_view text) noexcept;

bool ascii_iequals(std::string_view a, std::string_view b) noexcept;

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace create_token
