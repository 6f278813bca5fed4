// Learning-rate schedules. See schedule.hpp.
#include "cvpipe/nn/schedule.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include <fmt/format.h>

namespace cvpipe::nn {
namespace {

class Constant final : public LrSchedule {
 public:
  explicit Constant(double base) : base_(base) {}
  double lr(std::int64_t) const override { return base_; }
  std::string describe() const override { return fmt::format("constant({})", base_); }

 private:
  double base_;
};

class Step final : public LrSchedule {
 public:
  Step(double base, std::int64_t step_size, double gamma) : base_(base), size_(step_size), gamma_(gamma) {
    if (step_size <= 0) throw std::invalid_argument(fmt::format("step_lr: step_size must be > 0, got {}", step_size));
  }
  double lr(std::int64_t step) const override {
    return base_ * std::pow(gamma_, static_cast<double>(std::max<std::int64_t>(0, step) / size_));
  }
  std::string describe() const override { return fmt::format("step({}, every {} x{})", base_, size_, gamma_); }

 private:
  double base_;
  std::int64_t size_;
  double gamma_;
};

class Cosine final : public LrSchedule {
 public:
  Cosine(double base, std::int64_t total, double min_lr) : base_(base), total_(total), min_(min_lr) {
    if (total <= 0) throw std::invalid_argument(fmt::format("cosine_lr: total_steps must be > 0, got {}", total));
  }
  double lr(std::int64_t step) const override {
    const double t = static_cast<double>(std::clamp<std::int64_t>(step, 0, total_));
    return min_ + (base_ - min_) * 0.5 * (1.0 + std::cos(std::numbers::pi * t / static_cast<double>(total_)));
  }
  std::string describe() const override { return fmt::format("cosine({} -> {} over {})", base_, min_, total_); }

 private:
  double base_;
  std::int64_t total_;
  double min_;
};

class Warmup final : public LrSchedule {
 public:
  Warmup(LrSchedulePtr inner, std::int64_t steps, double f0) : inner_(std::move(inner)), steps_(steps), f0_(f0) {
    if (!inner_) throw std::invalid_argument("warmup_lr: no inner schedule");
    if (steps < 0) throw std::invalid_argument(fmt::format("warmup_lr: warmup_steps must be >= 0, got {}", steps));
    if (f0 < 0 || f0 > 1) throw std::invalid_argument(fmt::format("warmup_lr: start_factor must be in [0, 1], got {}", f0));
  }
  double lr(std::int64_t step) const override {
    if (step < steps_)
      return inner_->lr(0) * (f0_ + (1.0 - f0_) * static_cast<double>(std::max<std::int64_t>(0, step)) / static_cast<double>(steps_));
    return inner_->lr(step - steps_);
  }
  std::string describe() const override { return fmt::format("warmup({} steps from x{}) then {}", steps_, f0_, inner_->describe()); }

 private:
  LrSchedulePtr inner_;
  std::int64_t steps_;
  double f0_;
};

}  // namespace

class TimedCosine final : public LrSchedule {
 public:
  TimedCosine(double base, double min_lr, std::int64_t warmup, std::int64_t total, double time_limit_s)
      : base_(base), min_(min_lr), warmup_(warmup), total_(total), limit_s_(time_limit_s), start_(std::chrono::steady_clock::now()) {}
  double lr(std::int64_t step) const override {
    if (step < warmup_) return base_ * (0.01 + 0.99 * static_cast<double>(step) / static_cast<double>(warmup_));
    double progress = static_cast<double>(step - warmup_) / static_cast<double>(std::max<std::int64_t>(1, total_ - warmup_));
    if (limit_s_ > 0) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      progress = std::max(progress, elapsed / limit_s_);
    }
    progress = std::clamp(progress, 0.0, 1.0);
    return min_ + (base_ - min_) * (1.0 + std::cos(std::numbers::pi * progress)) / 2.0;
  }
  std::string describe() const override {
    return fmt::format("warm-up {} steps, then cosine({} -> {}) over max(step, time) progress", warmup_, base_, min_);
  }

 private:
  double base_, min_;
  std::int64_t warmup_, total_;
  double limit_s_;
  std::chrono::steady_clock::time_point start_;
};

LrSchedulePtr constant_lr(double base) { return std::make_shared<Constant>(base); }
LrSchedulePtr step_lr(double base, std::int64_t step_size, double gamma) { return std::make_shared<Step>(base, step_size, gamma); }
LrSchedulePtr cosine_lr(double base, std::int64_t total_steps, double min_lr) {
  return std::make_shared<Cosine>(base, total_steps, min_lr);
}
LrSchedulePtr timed_cosine_lr(double base, double min_lr, std::int64_t warmup_steps, std::int64_t total_steps,
                              double time_limit_s) {
  return std::make_shared<TimedCosine>(base, min_lr, warmup_steps, total_steps, time_limit_s);
}
LrSchedulePtr warmup_lr(LrSchedulePtr inner, std::int64_t warmup_steps, double start_factor) {
  return std::make_shared<Warmup>(std::move(inner), warmup_steps, start_factor);
}

LrSchedulePtr make_schedule(const ScheduleSpec& s) {
  if (!(s.base_lr > 0)) throw std::invalid_argument(fmt::format("lr must be > 0, got {}", s.base_lr));
  LrSchedulePtr inner;
  if (s.kind == "constant") {
    inner = constant_lr(s.base_lr);
  } else if (s.kind == "step") {
    inner = step_lr(s.base_lr, s.step_size, s.gamma);
  } else if (s.kind == "cosine") {
    const std::int64_t t = s.total_steps - std::max<std::int64_t>(0, s.warmup_steps);
    if (t <= 0)
      throw std::invalid_argument(fmt::format("cosine schedule: total_steps ({}) must exceed warmup_steps ({})",
                                              s.total_steps, s.warmup_steps));
    inner = cosine_lr(s.base_lr, t, s.min_lr);
  } else {
    throw std::invalid_argument(fmt::format("unknown lr schedule '{}' (expected constant, step or cosine)", s.kind));
  }
  return s.warmup_steps > 0 ? warmup_lr(inner, s.warmup_steps, s.warmup_start_factor) : inner;
}

}  // namespace cvpipe::nn
