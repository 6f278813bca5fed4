// The timed cosine schedule: plain warm-up + cosine without a time limit; with one, elapsed time
// drives the decay so a run cut by the limit ends at min_lr.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <numbers>
#include <thread>

#include "cvpipe/nn/schedule.hpp"

namespace cvpipe::nn {
namespace {

TEST(TimedCosine, WithoutTimeLimitIsWarmupThenCosineOverSteps) {
  const auto p = timed_cosine_lr(1e-3, 1e-5, 10, 110, 0.0);
  const LrSchedule& s = *p;
  EXPECT_NEAR(s.lr(0), 1e-5, 1e-12);
  EXPECT_NEAR(s.lr(5), 1e-3 * (0.01 + 0.99 * 0.5), 1e-12);
  EXPECT_NEAR(s.lr(10), 1e-3, 1e-12);
  EXPECT_NEAR(s.lr(60), 1e-5 + (1e-3 - 1e-5) * 0.5, 1e-12);
  EXPECT_NEAR(s.lr(110), 1e-5, 1e-12);
  EXPECT_NEAR(s.lr(500), 1e-5, 1e-12);
  for (int k = 10; k < 110; ++k) EXPECT_GE(s.lr(k), s.lr(k + 1));
}

TEST(TimedCosine, ElapsedTimeDrivesTheDecayWhenAheadOfTheSteps) {
  const auto p = timed_cosine_lr(1e-3, 1e-5, 0, 1000000, 0.2);  // 0.2 s budget for a million steps
  const LrSchedule& s = *p;
  const double early = s.lr(1);
  EXPECT_GT(early, 0.5e-3);
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  EXPECT_NEAR(s.lr(2), 1e-5, 1e-12);  // past the limit: fully annealed after 2 of 10^6 steps
  EXPECT_LT(s.lr(2), early);
  // Step progress still counts when it is ahead of the clock.
  const auto slow_clock = timed_cosine_lr(1e-3, 1e-5, 0, 100, 3600.0);
  EXPECT_NEAR(slow_clock->lr(100), 1e-5, 1e-9);
}

}  // namespace
}  // namespace cvpipe::nn
