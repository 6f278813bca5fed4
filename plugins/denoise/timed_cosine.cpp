// The denoiser's learning-rate schedule; see timed_cosine.hpp.
#include "timed_cosine.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace cvpipe::denoise {

TimedCosine::TimedCosine(double base, double min_lr, std::int64_t warmup, std::int64_t total, double time_limit_s)
    : base_(base), min_(min_lr), warmup_(warmup), total_(total), limit_s_(time_limit_s), start_(std::chrono::steady_clock::now()) {}

double TimedCosine::lr(std::int64_t step) const {
  if (step < warmup_) return base_ * (0.01 + 0.99 * static_cast<double>(step) / static_cast<double>(warmup_));
  double progress = static_cast<double>(step - warmup_) / static_cast<double>(std::max<std::int64_t>(1, total_ - warmup_));
  if (limit_s_ > 0) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    progress = std::max(progress, elapsed / limit_s_);
  }
  progress = std::clamp(progress, 0.0, 1.0);
  return min_ + (base_ - min_) * (1.0 + std::cos(std::numbers::pi * progress)) / 2.0;
}

std::string TimedCosine::describe() const {
  return "warm-up " + std::to_string(warmup_) + " steps, then cosine over max(step, time) progress";
}

}  // namespace cvpipe::denoise
