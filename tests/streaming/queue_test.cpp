// BoundedQueue (blocking, dropping, close/abandon, depth statistics) and ComputeSlots (the
// thread budget: never more holders than slots).
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "streaming/bounded_queue.hpp"
#include "streaming/compute_slots.hpp"

namespace cvpipe::test {
namespace {

using streaming::BoundedQueue;
using streaming::ComputeSlots;

TEST(BoundedQueue, BlocksWhenFullAndKeepsOrder) {
  BoundedQueue<int> q(2);
  std::atomic<int> pushed{0};
  std::thread producer([&] {
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(q.push(i));
      ++pushed;
    }
    q.close();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(pushed.load(), 2) << "the producer waits while the queue is full";
  std::vector<int> got;
  int v = 0;
  while (q.pop(v) == BoundedQueue<int>::Popped::item) got.push_back(v);
  producer.join();
  ASSERT_EQ(got.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(got[i], i);
  EXPECT_LE(q.max_depth(), 2u);
  EXPECT_GT(q.mean_depth(), 0.0);
}

TEST(BoundedQueue, DropsOldestOrNewestWhenFull) {
  BoundedQueue<int> oldest(2), newest(2);
  using P = BoundedQueue<int>::Pushed;
  EXPECT_EQ(oldest.push_or_drop(1, true), P::ok);
  EXPECT_EQ(oldest.push_or_drop(2, true), P::ok);
  EXPECT_EQ(oldest.push_or_drop(3, true), P::dropped_oldest);
  EXPECT_EQ(newest.push_or_drop(1, false), P::ok);
  EXPECT_EQ(newest.push_or_drop(2, false), P::ok);
  EXPECT_EQ(newest.push_or_drop(3, false), P::dropped_new);
  int v = 0;
  oldest.pop(v);
  EXPECT_EQ(v, 2);
  newest.pop(v);
  EXPECT_EQ(v, 1);
}

TEST(BoundedQueue, AbandonReleasesABlockedProducerAndTimeoutsExpire) {
  BoundedQueue<int> q(1);
  ASSERT_TRUE(q.push(1));
  std::atomic<bool> result{true};
  std::thread producer([&] { result = q.push(2); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  q.abandon();
  producer.join();
  EXPECT_FALSE(result.load()) << "a push into an abandoned queue fails instead of blocking";
  EXPECT_EQ(q.push_or_drop(3, true), BoundedQueue<int>::Pushed::abandoned);

  BoundedQueue<int> empty(1);
  int v = 0;
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(empty.pop(v, t0 + std::chrono::milliseconds(30)), BoundedQueue<int>::Popped::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(29));
  empty.close();
  EXPECT_EQ(empty.pop(v), BoundedQueue<int>::Popped::end);
}

TEST(ComputeSlots, NeverMoreHoldersThanSlots) {
  for (int slots : {1, 2}) {
    ComputeSlots budget(slots);
    std::atomic<int> running{0}, peak{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < 20; ++i) {
          ComputeSlots::Hold hold(budget, 1);
          const int now = ++running;
          int p = peak.load();
          while (now > p && !peak.compare_exchange_weak(p, now)) {
          }
          std::this_thread::sleep_for(std::chrono::microseconds(300));
          --running;
        }
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(peak.load(), slots);
  }
}

// Runs fn on a detached thread; true when it returned within `seconds` (a hang fails the test
// instead of hanging it).
template <class Fn>
bool returns_within(double seconds, Fn fn) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> f = done->get_future();
  std::thread([done, fn] {
    fn();
    done->set_value();
  }).detach();
  return f.wait_for(std::chrono::duration<double>(seconds)) == std::future_status::ready;
}

TEST(ComputeSlots, ARequestAboveTheBudgetIsClampedAndReleasedWhole) {
  static ComputeSlots one(1);  // outlives a hung helper thread
  EXPECT_EQ(one.total(), 1);
  EXPECT_TRUE(returns_within(10, [] { ComputeSlots::Hold big(one, 8); }))
      << "a hold of 8 slots out of 1 is clamped to the budget, not waited for forever";
  EXPECT_TRUE(returns_within(10, [] { ComputeSlots::Hold small(one, 1); }))
      << "the clamped hold gave back the whole budget";
}

}  // namespace
}  // namespace cvpipe::test
