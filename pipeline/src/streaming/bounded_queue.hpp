// BoundedQueue: the frame queue between two workers of the streaming executor. Holds at most
// `capacity` items. The producer either blocks while the queue is full (files: nothing is ever
// dropped) or, after a short grace, drops the oldest waiting item / the new one (live sources). close() is the
// producer's end of stream: the consumer drains what is queued, then pop() reports `end`.
// abandon() is the consumer giving up (a failed run): queued items are discarded and every
// later push fails at once, so an upstream worker never blocks on a queue nobody reads.
// Thread-safe: one mutex, two condition variables; any number of producers and consumers.
// Depth statistics (maximum, mean over pops) feed the metrics table.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace cvpipe::streaming {

template <class T>
class BoundedQueue {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Pushed { ok, dropped_oldest, dropped_new, abandoned };
  enum class Popped { item, end, timeout };

  explicit BoundedQueue(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  // Blocks while full. False when the consumer abandoned the queue (the item is discarded).
  bool push(T item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return abandoned_ || items_.size() < capacity_; });
    if (abandoned_) return false;
    add_locked(std::move(item));
    return true;
  }

  // Waits at most `grace` for room; when still full, drops the oldest waiting item (drop_oldest)
  // or the new one. A short grace absorbs bursts (a stream delivering several frames at once)
  // without dropping, while a consumer that stays behind still never blocks the producer long.
  Pushed push_or_drop(T item, bool drop_oldest, std::chrono::nanoseconds grace = {}) {
    std::unique_lock lock(mutex_);
    if (grace.count() > 0) not_full_.wait_for(lock, grace, [&] { return abandoned_ || items_.size() < capacity_; });
    if (abandoned_) return Pushed::abandoned;
    Pushed result = Pushed::ok;
    if (items_.size() >= capacity_) {
      if (!drop_oldest) return Pushed::dropped_new;
      items_.pop_front();
      result = Pushed::dropped_oldest;
    }
    add_locked(std::move(item));
    return result;
  }

  // Waits for an item until `deadline` (none: no limit). `end` once closed and drained, or abandoned.
  Popped pop(T& out, std::optional<Clock::time_point> deadline = std::nullopt) {
    std::unique_lock lock(mutex_);
    auto ready = [&] { return abandoned_ || closed_ || !items_.empty(); };
    if (deadline) {
      if (!not_empty_.wait_until(lock, *deadline, ready)) return Popped::timeout;
    } else {
      not_empty_.wait(lock, ready);
    }
    if (abandoned_ || items_.empty()) return Popped::end;
    depth_sum_ += static_cast<int64_t>(items_.size());
    ++pops_;
    out = std::move(items_.front());
    items_.pop_front();
    lock.unlock();
    not_full_.notify_one();
    return Popped::item;
  }

  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    not_empty_.notify_all();
  }

  void abandon() {
    {
      std::lock_guard lock(mutex_);
      abandoned_ = true;
      items_.clear();
    }
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  // Discards what is queued (a live run stopping); returns how many items that was.
  size_t clear() {
    size_t n;
    {
      std::lock_guard lock(mutex_);
      n = items_.size();
      items_.clear();
    }
    not_full_.notify_all();
    return n;
  }

  size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  size_t capacity() const { return capacity_; }
  size_t max_depth() const {
    std::lock_guard lock(mutex_);
    return max_depth_;
  }
  // Mean number of items waiting when the consumer took one (0 when nothing was taken).
  double mean_depth() const {
    std::lock_guard lock(mutex_);
    return pops_ > 0 ? static_cast<double>(depth_sum_) / static_cast<double>(pops_) : 0.0;
  }

 private:
  void add_locked(T item) {
    items_.push_back(std::move(item));
    if (items_.size() > max_depth_) max_depth_ = items_.size();
    not_empty_.notify_one();
  }

  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
  bool abandoned_ = false;
  size_t max_depth_ = 0;
  int64_t depth_sum_ = 0;
  int64_t pops_ = 0;
};

}  // namespace cvpipe::streaming
