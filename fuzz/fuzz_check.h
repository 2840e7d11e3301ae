// FUZZ_CHECK: an invariant of a fuzz target. A violation prints what broke and aborts, so
// libFuzzer saves the input as a crash like any sanitizer report.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace rct_fuzz {

[[noreturn]] inline void check_failed(const char* file, int line, const char* expr,
                                      const std::string& detail) {
  std::fprintf(stderr, "%s:%d: invariant violated: %s\n  %s\n", file, line, expr, detail.c_str());
  std::abort();
}

}  // namespace rct_fuzz

#define FUZZ_CHECK(cond, detail)                                              \
  do {                                                                        \
    if (!(cond)) ::rct_fuzz::check_failed(__FILE__, __LINE__, #cond, detail); \
  } while (0)
