// The host's uses of libsodium: session tokens and their hashes, user ids, password hashes.
// Nothing here logs or keeps what it is given.
#pragma once

#include <string>
#include <string_view>

#include "storage/storage.h"

namespace host::crypto {

// sodium_init, once per process (safe to call from several threads).
Status init() noexcept;

// 32 random bytes as base64url without padding: 43 characters of [A-Za-z0-9_-].
std::string new_session_token();
// base64 (standard alphabet, padded: 44 characters) of SHA-256(token); what storage keeps.
std::string token_hash(std::string_view token);
// 17 characters drawn uniformly from Rocket.Chat's id alphabet.
std::string new_user_id();

// Argon2id string (libsodium's crypto_pwhash_str, interactive limits).
Result<std::string> hash_password(std::string_view password);
// False for any mismatch or malformed hash.
bool verify_password(const std::string& hash, std::string_view password) noexcept;
// Costs what a verification costs, so an unknown login is not faster than a wrong password.
void spend_password_check(std::string_view password) noexcept;

bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace host::crypto
