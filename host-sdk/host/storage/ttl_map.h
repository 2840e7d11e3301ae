// A small thread-safe map whose entries are served for at most a time to live, for the
// storage read cache. Two generations bound memory: entries older than a generation go.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace host {

template <typename V>
class TtlMap {
 public:
  using Clock = std::chrono::steady_clock;

  // `stripes`: invalidations are counted per stripe of keys, so frequent writes to some keys
  // do not keep the others from being cached. With one stripe, epoch() of any key serves a
  // read whose key is known only afterwards.
  TtlMap(Clock::duration ttl, std::size_t max_entries, std::size_t stripes = 1)
      : ttl_(ttl),
        max_entries_(max_entries == 0 ? 1 : max_entries),
        epochs_(stripes == 0 ? 1 : stripes) {}

  // Copies the value into `out` when an entry younger than the time to live exists.
  bool get(std::string_view key, Clock::time_point now, V& out) {
    std::lock_guard lock(mutex_);
    for (const Map* map : {&current_, &previous_}) {
      auto it = map->find(key);
      if (it != map->end() && now - it->second.fetched < ttl_) {
        out = it->second.value;
        return true;
      }
    }
    return false;
  }

  // `fetched`: when the read began, so the time to live bounds how stale the value can be.
  // Refused when the map was invalidated since `epoch` (epoch() taken before the read), so
  // a read that raced with a write of this process cannot bring back what the write removed.
  void put(std::string key, V value, Clock::time_point fetched, std::uint64_t epoch) {
    std::lock_guard lock(mutex_);
    if (epoch != stripe(key)) return;
    if (current_.size() >= max_entries_ || fetched - generation_started_ >= ttl_) {
      previous_ = std::move(current_);
      current_.clear();
      generation_started_ = fetched;
    }
    current_.insert_or_assign(std::move(key), Entry{std::move(value), fetched});
  }

  std::uint64_t epoch(std::string_view key) {
    std::lock_guard lock(mutex_);
    return stripe(key);
  }

  // Drops one entry; a read of it in flight will not be cached (see put).
  void erase(std::string_view key) {
    std::lock_guard lock(mutex_);
    ++stripe(key);
    if (auto it = current_.find(key); it != current_.end()) current_.erase(it);
    if (auto it = previous_.find(key); it != previous_.end()) previous_.erase(it);
  }

  void clear() {
    std::lock_guard lock(mutex_);
    for (auto& e : epochs_) ++e;
    current_.clear();
    previous_.clear();
  }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  struct Entry {
    V value;
    Clock::time_point fetched;
  };
  using Map = std::unordered_map<std::string, Entry, Hash, std::equal_to<>>;

  std::uint64_t& stripe(std::string_view key) {
    return epochs_.size() == 1 ? epochs_[0] : epochs_[Hash{}(key) % epochs_.size()];
  }

  const Clock::duration ttl_;
  const std::size_t max_entries_;
  std::mutex mutex_;
  std::vector<std::uint64_t> epochs_;
  Map current_;
  Map previous_;
  Clock::time_point generation_started_{};
};

}  // namespace host
