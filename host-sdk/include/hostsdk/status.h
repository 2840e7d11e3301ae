// Status and Result<T>: how every SDK call reports success or failure without throwing.
// Small value types, modelled on LevelDB's Status; C++17, no third-party types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace hostsdk {

enum class StatusCode : int {
  kOk = 0,
  kNotFound = 1,
  kInvalidArgument = 2,
  kPermissionDenied = 3,
  kConflict = 4,
  kUnavailable = 5,  // storage or another dependency is down; callers answer 503
  kInternal = 6,
};

class Status {
 public:
  Status() noexcept = default;
  Status(StatusCode code, std::string message) noexcept
      : code_(code), message_(std::move(message)) {}

  static Status Ok() noexcept { return Status(); }
  static Status NotFound(std::string m) noexcept { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Invalid(std::string m) noexcept {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status Denied(std::string m) noexcept {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status Conflict(std::string m) noexcept { return {StatusCode::kConflict, std::move(m)}; }
  static Status Unavailable(std::string m) noexcept {
    return {StatusCode::kUnavailable, std::move(m)};
  }
  static Status Internal(std::string m) noexcept { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const noexcept { return code_ == StatusCode::kOk; }
  StatusCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none. GCC 12 has no std::expected.
template <typename T>
class Result {
 public:
  Result(T value) noexcept : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) noexcept : status_(std::move(status)) {
    if (status_.ok()) status_ = Status::Internal("Result built from an ok Status without value");
  }

  bool ok() const noexcept { return value_.has_value(); }
  const Status& status() const noexcept { return status_; }
  const T& value() const& noexcept { return *value_; }
  T& value() & noexcept { return *value_; }
  T&& value() && noexcept { return std::move(*value_); }
  const T* operator->() const noexcept { return &*value_; }
  const T& operator*() const& noexcept { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace hostsdk
