// ComputeSlots: the run's thread budget (--threads) as a counting semaphore. Every stage call
// holds as many slots as the threads the stage was told it may use (StageContext::threads) while
// it runs. So with --threads N at most N cores do stage work, however many stage workers the
// pipeline has (--threads 1 runs one stage call at a time).
// Thread-safe. A request larger than the budget is clamped to it, so it cannot wait forever.
#pragma once
#include <algorithm>
#include <condition_variable>
#include <mutex>

namespace cvpipe::streaming {

class ComputeSlots {
 public:
  explicit ComputeSlots(int slots) : total_(std::max(1, slots)), free_(total_) {}

  int total() const { return total_; }

  void acquire(int n) {
    n = std::clamp(n, 1, total_);
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [&] { return free_ >= n; });
    free_ -= n;
  }

  void release(int n) {
    n = std::clamp(n, 1, total_);
    {
      std::lock_guard lock(mutex_);
      free_ += n;
    }
    freed_.notify_all();
  }

  // Holds `n` slots for a scope.
  class Hold {
   public:
    Hold(ComputeSlots& slots, int n) : slots_(slots), n_(n) { slots_.acquire(n_); }
    ~Hold() { slots_.release(n_); }
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

   private:
    ComputeSlots& slots_;
    int n_;
  };

 private:
  const int total_;
  int free_;
  std::mutex mutex_;
  std::condition_variable freed_;
};

}  // namespace cvpipe::streaming
