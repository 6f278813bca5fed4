// LR schedules against their PyTorch formulas (StepLR, CosineAnnealingLR, linear warm-up).
#include "cvpipe/nn/schedule.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace cvpipe::nn {
namespace {

TEST(Schedule, StepDecays) {
  const auto s = step_lr(0.1, 30, 0.5);
  EXPECT_DOUBLE_EQ(s->lr(0), 0.1);
  EXPECT_DOUBLE_EQ(s->lr(29), 0.1);
  EXPECT_DOUBLE_EQ(s->lr(30), 0.05);
  EXPECT_DOUBLE_EQ(s->lr(95), 0.1 * 0.125);
  EXPECT_THROW(step_lr(0.1, 0), std::invalid_argument);
}

TEST(Schedule, CosineReachesMinAndStays) {
  const auto s = cosine_lr(1.0, 100, 0.1);
  EXPECT_DOUBLE_EQ(s->lr(0), 1.0);
  EXPECT_NEAR(s->lr(50), 0.55, 1e-12);
  EXPECT_NEAR(s->lr(25), 0.1 + 0.9 * 0.5 * (1 + std::cos(std::numbers::pi / 4)), 1e-12);
  EXPECT_DOUBLE_EQ(s->lr(100), 0.1);
  EXPECT_DOUBLE_EQ(s->lr(1000), 0.1);
  for (int i = 1; i <= 100; ++i) EXPECT_LE(s->lr(i), s->lr(i - 1));
}

TEST(Schedule, WarmupIsLinearThenHandsOver) {
  const auto s = warmup_lr(cosine_lr(0.4, 10), 4, 0.25);
  EXPECT_DOUBLE_EQ(s->lr(0), 0.1);
  EXPECT_DOUBLE_EQ(s->lr(2), 0.4 * (0.25 + 0.75 * 0.5));
  EXPECT_DOUBLE_EQ(s->lr(4), 0.4);
  EXPECT_DOUBLE_EQ(s->lr(9), cosine_lr(0.4, 10)->lr(5));
  const auto z = warmup_lr(constant_lr(1.0), 10);
  EXPECT_DOUBLE_EQ(z->lr(0), 0.0);
  EXPECT_DOUBLE_EQ(z->lr(5), 0.5);
  EXPECT_DOUBLE_EQ(z->lr(50), 1.0);
}

TEST(Schedule, FromSpec) {
  const auto s = make_schedule({.kind = "cosine", .base_lr = 1.0, .warmup_steps = 10, .total_steps = 110});
  EXPECT_DOUBLE_EQ(s->lr(10), 1.0);
  EXPECT_NEAR(s->lr(60), 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(s->lr(110), 0.0);
  EXPECT_DOUBLE_EQ(make_schedule({.kind = "step", .base_lr = 1.0, .step_size = 5, .gamma = 0.1})->lr(5), 0.1);
  EXPECT_THROW(make_schedule({.kind = "poly"}), std::invalid_argument);
  EXPECT_THROW(make_schedule({.kind = "cosine", .warmup_steps = 10, .total_steps = 10}), std::invalid_argument);
  EXPECT_THROW(make_schedule({.base_lr = -1}), std::invalid_argument);
}

}  // namespace
}  // namespace cvpipe::nn
