// SystemClock and OffsetClock: wall-clock milliseconds, the latter shifted by a test offset.
// system_clock, not steady_clock: expiry instants are stored and compared across processes.
#include "services/clock.h"

#include <chrono>

namespace host {
namespace {

std::int64_t system_now_ms() noexcept {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::int64_t SystemClock::now_ms() const noexcept { return system_now_ms(); }

std::int64_t OffsetClock::now_ms() const noexcept { return system_now_ms() + offset_ms_.load(); }

}  // namespace host
