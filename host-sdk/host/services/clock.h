// Wall-clock time in milliseconds since the epoch, behind an interface so that tests can
// move time (the test clock is enabled only by an explicit host option).
#pragma once

#include <atomic>
#include <cstdint>

namespace host {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_ms() const noexcept = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const noexcept override;
};

// System time plus an offset that tests may advance.
class OffsetClock final : public Clock {
 public:
  std::int64_t now_ms() const noexcept override;
  void advance_ms(std::int64_t delta) noexcept { offset_ms_ += delta; }

 private:
  std::atomic<std::int64_t> offset_ms_{0};
};

}  // namespace host
