// libsodium calls of the host services: random tokens and ids, SHA-256, base64, Argon2id.
// The random bytes behind a token are wiped with sodium_memzero once encoded.
#include "services/crypto.h"

#include <sodium.h>

#include <array>
#include <mutex>

namespace host::crypto {
namespace {

constexpr std::string_view kIdAlphabet = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz";
constexpr std::size_t kIdLength = 17;
constexpr std::size_t kTokenBytes = 32;

std::string to_base64(const unsigned char* bytes, std::size_t size, int variant) {
  std::string out(sodium_base64_encoded_len(size, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, size, variant);
  out.resize(out.size() - 1);  // the encoded length counts the terminating NUL
  return out;
}

}  // namespace

Status init() noexcept {
  static const int result = sodium_init();  // thread-safe static initialisation
  if (result < 0) return Status::Internal("libsodium failed to initialise");
  return Status::Ok();
}

std::string new_session_token() {
  std::array<unsigned char, kTokenBytes> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::string token =
      to_base64(bytes.data(), bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes.data(), bytes.size());
  return token;
}

std::string token_hash(std::string_view token) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  // Plain base64 with padding, as sodium_bin2base64's ORIGINAL variant writes it. A digest is
  // not a secret (storage holds it), so this need not take constant time as the token does;
  // it is called on every authentication.
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.resize((digest.size() + 2) / 3 * 4);
  std::size_t o = 0, i = 0;
  for (; i + 3 <= digest.size(); i += 3) {
    unsigned v = (digest[i] << 16) | (digest[i + 1] << 8) | digest[i + 2];
    out[o++] = kAlphabet[(v >> 18) & 63];
    out[o++] = kAlphabet[(v >> 12) & 63];
    out[o++] = kAlphabet[(v >> 6) & 63];
    out[o++] = kAlphabet[v & 63];
  }
  if (i < digest.size()) {  // 32 bytes: two left over
    unsigned v = (digest[i] << 16) | (i + 1 < digest.size() ? digest[i + 1] << 8 : 0);
    out[o++] = kAlphabet[(v >> 18) & 63];
    out[o++] = kAlphabet[(v >> 12) & 63];
    out[o++] = i + 1 < digest.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out[o++] = '=';
  }
  return out;
}

std::string new_user_id() {
  // One randombytes_buf per refill rather than one randombytes_uniform per character: each
  // call may be a getrandom(2) system call. Bytes at or above the largest multiple of the
  // alphabet size are skipped, so every character stays uniform.
  constexpr unsigned kLimit = 256 - 256 % kIdAlphabet.size();
  std::array<unsigned char, 32> bytes{};
  std::string id;
  id.reserve(kIdLength);
  while (id.size() < kIdLength) {
    randombytes_buf(bytes.data(), bytes.size());
    for (unsigned char b : bytes) {
      if (b >= kLimit) continue;
      id += kIdAlphabet[b % kIdAlphabet.size()];
      if (id.size() == kIdLength) break;
    }
  }
  return id;
}

Result<std::string> hash_password(std::string_view password) {
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::Unavailable("password hashing ran out of memory");
  }
  return std::string(out.data());
}

bool verify_password(const std::string& hash, std::string_view password) noexcept {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void spend_password_check(std::string_view password) noexcept {
  // A fixed hash computed once; verifying against it costs the same as a real check.
  static const std::string dummy = [] {
    auto hashed = hash_password("rct-dummy-password");
    return hashed.ok() ? hashed.value() : std::string();
  }();
  (void)verify_password(dummy, password);
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace host::crypto
