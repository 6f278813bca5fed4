// TimedCosine: the denoiser's learning-rate schedule. Linear warm-up (from 1% of the base rate),
// then cosine decay to min_lr driven by the larger of step progress and elapsed-time progress
// (elapsed / time_limit). On a shared machine the step rate is unknown in advance; this way a run
// cut by its time limit still ends annealed at min_lr instead of stopping at a high rate.
// Guarantees: without a time limit (<= 0) it is exactly warm-up + cosine over the steps, the rate
// never increases after the warm-up, and it stays in [min_lr, base]. The clock starts at
// construction (a time limit counts per invocation, also when resuming).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

#include "cvpipe/nn/schedule.hpp"

namespace cvpipe::denoise {

class TimedCosine final : public nn::LrSchedule {
 public:
  TimedCosine(double base, double min_lr, std::int64_t warmup, std::int64_t total, double time_limit_s);
  double lr(std::int64_t step) const override;
  std::string describe() const override;

 private:
  double base_, min_;
  std::int64_t warmup_, total_;
  double limit_s_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace cvpipe::denoise
