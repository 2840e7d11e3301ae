// Maps libpqxx exceptions to the storage contract's Status codes, and says whether the
// connection can be reused and whether the transaction may be retried.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

#include "storage/storage.h"

namespace host::pg {

// Thrown by the backend for input PostgreSQL cannot store (a NUL byte in text).
class InvalidInput : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A text parameter for libpqxx 6.4, which takes no string_view and silently cuts a string at
// its first NUL byte; refusing such input keeps "abc\0x" from matching "abc".
std::string text(std::string_view value);

struct Failure {
  Status status;
  bool broken = false;     // the connection is gone: drop it (and its idle siblings)
  bool retryable = false;  // nothing was committed and trying again may succeed
};

// Classifies `error`, thrown while running a statement or committing.
Failure classify(const std::exception_ptr& error) noexcept;

}  // namespace host::pg
