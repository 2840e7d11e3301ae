// Random identifiers the mock host hands out: Rocket.Chat-style user ids and session
// tokens, plus the hash under which a token is stored. All randomness comes from libsodium.
#pragma once

#include <string>
#include <string_view>

namespace hostsdk::mock::detail {

inline constexpr std::string_view kUserIdAlphabet =
    "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz";
inline constexpr std::size_t kUserIdLength = 17;

std::string new_user_id();
// 32 random bytes, base64url without padding: 43 characters.
std::string new_session_token();
// base64 (standard alphabet, padded) of SHA-256(token): 44 characters.
std::string hash_session_token(std::string_view token);

}  // namespace hostsdk::mock::detail
