// rchost's exit codes, stable for scripts: 0 success, 2 bad usage, 3 not found,
// 4 already exists, 5 storage unavailable, 1 anything else.
#pragma once

#include "hostsdk/status.h"

namespace host::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,
  kExitUsage = 2,
  kExitNotFound = 3,
  kExitConflict = 4,
  kExitUnavailable = 5,
};

inline int exit_code_for(const hostsdk::Status& status) {
  switch (status.code()) {
    case hostsdk::StatusCode::kOk:
      return kExitOk;
    case hostsdk::StatusCode::kInvalidArgument:
      return kExitUsage;
    case hostsdk::StatusCode::kNotFound:
      return kExitNotFound;
    case hostsdk::StatusCode::kConflict:
      return kExitConflict;
    case hostsdk::StatusCode::kUnavailable:
      return kExitUnavailable;
    default:
      return kExitFailure;
  }
}

}  // namespace host::cli
