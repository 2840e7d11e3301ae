// The build fingerprint: what must match between host and plugin for C++ types to be safe
// to pass across (compiler family, std::string ABI and size, pointer size, SDK version).
#pragma once

#include <cstddef>
#include <string>

#include "hostsdk/version.h"

#define HOSTSDK_STR_(x) #x
#define HOSTSDK_STR(x) HOSTSDK_STR_(x)

#if defined(__clang__)
#define HOSTSDK_COMPILER "clang-" HOSTSDK_STR(__clang_major__)
#elif defined(__GNUC__)
#define HOSTSDK_COMPILER "gcc-" HOSTSDK_STR(__GNUC__)
#else
#define HOSTSDK_COMPILER "unknown"
#endif

#ifdef _GLIBCXX_USE_CXX11_ABI
#define HOSTSDK_CXX11_ABI HOSTSDK_STR(_GLIBCXX_USE_CXX11_ABI)
#else
#define HOSTSDK_CXX11_ABI "none"
#endif

namespace hostsdk {

struct Fingerprint {
  char text[160] = {};
};

namespace detail {
constexpr void append(Fingerprint& f, std::size_t& at, const char* s) {
  while (*s != '\0' && at + 1 < sizeof(f.text)) f.text[at++] = *s++;
}
constexpr void append(Fingerprint& f, std::size_t& at, std::size_t n) {
  char digits[24] = {};
  std::size_t len = 0;
  do {
    digits[len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  while (len > 0 && at + 1 < sizeof(f.text)) f.text[at++] = digits[--len];
}
constexpr Fingerprint make_fingerprint() {
  Fingerprint f;
  std::size_t at = 0;
  append(f, at, "compiler=" HOSTSDK_COMPILER ";cxx11abi=" HOSTSDK_CXX11_ABI ";string=");
  append(f, at, sizeof(std::string));
  append(f, at, ";pointer=");
  append(f, at, sizeof(void*));
  append(f, at, ";sdk=" HOSTSDK_VERSION_STRING);
  return f;
}
}  // namespace detail

// Evaluated in each binary's own compilation, which is the point: host and plugin compare.
inline constexpr Fingerprint kBuildFingerprint = detail::make_fingerprint();

}  // namespace hostsdk
