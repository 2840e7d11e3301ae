// Compares SHA-256 digests with sodium_memcmp: fixed-length, constant-time, and no early
// return on a length mismatch (lengths only change what is hashed, not the comparison).
#include "secret_compare.h"

#include <sodium.h>

#include <array>

namespace create_token {

namespace {

using Digest = std::array<unsigned char, crypto_hash_sha256_BYTES>;

Digest digest_of(std::string_view text) noexcept {
  Digest digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size());
  return digest;
}

}  // namespace

bool secrets_equal(std::string_view expected, std::string_view given) noexcept {
  Digest a = digest_of(expected);
  Digest b = digest_of(given);
  const bool same = sodium_memcmp(a.data(), b.data(), a.size()) == 0;
  sodium_memzero(a.data(), a.size());
  sodium_memzero(b.data(), b.size());
  return same;
}

}  // namespace create_token
