// User ids, session tokens and token hashes for the mock host, via libsodium
// (randombytes, SHA-256, base64) so that tests see the same shapes as the real host.
#include "random_ids.h"

#include <sodium.h>

#include <array>

namespace hostsdk::mock::detail {

namespace {

std::string to_base64(const unsigned char* bytes, std::size_t size, int variant) {
  std::string out(sodium_base64_encoded_len(size, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, size, variant);
  out.resize(out.size() - 1);  // drop the terminating NUL libsodium counts in
  return out;
}

}  // namespace

std::string new_user_id() {
  std::string id(kUserIdLength, '\0');
  for (char& c : id) {
    c = kUserIdAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kUserIdAlphabet.size()))];
  }
  return id;
}

std::string new_session_token() {
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::string token =
      to_base64(bytes.data(), bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes.data(), bytes.size());
  return token;
}

std::string hash_session_token(std::string_view token) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  return to_base64(digest.data(), digest.size(), sodium_base64_VARIANT_ORIGINAL);
}

}  // namespace hostsdk::mock::detail
