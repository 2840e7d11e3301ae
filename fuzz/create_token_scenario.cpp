// Decoding of fuzz_create_token inputs. Total: every byte string is some scenario, so the
// fuzzer never wastes an input on a format error.
#include "create_token_scenario.h"

#include <string_view>

namespace rct_fuzz {
namespace {

// Takes everything up to the next '\n' (or the end) and moves past it.
std::string_view next_line(std::string_view& rest) {
  const auto end = rest.find('\n');
  const auto line = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  return line;
}

unsigned choice(std::string_view digits, std::size_t i, unsigned count) {
  if (i >= digits.size()) return 0;
  return static_cast<unsigned char>(digits[i] - '0') % count;
}

}  // namespace

Scenario decode_scenario(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const auto digits = next_line(rest);
  Scenario s;
  s.caller = static_cast<CallerMode>(choice(digits, 0, 8));
  s.gate = static_cast<GateMode>(choice(digits, 1, 4));
  s.from_environment = choice(digits, 2, 2) == 1;
  s.secret = static_cast<SecretMode>(choice(digits, 3, 4));
  s.roles = static_cast<RolesMode>(choice(digits, 4, 4));
  s.routes_disabled = choice(digits, 5, 8) == 7;
  const unsigned mask = choice(digits, 6, 64);
  s.failures = mask < (1u << kServiceCount) ? mask : 0;
  s.header_value = next_line(rest);
  s.gate_text = next_line(rest);
  s.secret_text = next_line(rest);
  s.roles_text = next_line(rest);
  s.body = rest;
  return s;
}

}  // namespace rct_fuzz
