// Constant-time comparison of the configured shared secret with the one a request sent.
// The position of the first difference never shows in timing; lengths are never compared.
#pragma once

#include <string_view>

namespace create_token {

bool secrets_equal(std::string_view expected, std::string_view given) noexcept;

}  // namespace create_token
