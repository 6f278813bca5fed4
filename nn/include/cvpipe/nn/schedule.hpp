// Learning-rate schedules: pure functions of the optimizer step count (0-based: the lr used for the
// step-th update), so resuming from a checkpoint needs only the step. Per-step, not per-epoch: for
// epoch-based recipes pass step counts (epochs * steps_per_epoch).
//
// Formulas (PyTorch semantics, evaluated per step):
//   constant: lr = base
//   step:     lr = base * gamma^floor(step / step_size)                    (torch StepLR)
//   cosine:   lr = min + (base - min) * (1 + cos(pi * min(step, T) / T)) / 2 (torch CosineAnnealingLR)
//   warmup:   for step < W: lr = inner(0) * (f0 + (1 - f0) * step / W)  (linear from f0 * inner(0))
//             then lr = inner(step - W)  (so give the inner schedule T = total - W).
//   timed cosine: linear warm-up from 1% of base over W steps, then cosine decay to min driven by
//             the larger of step progress (step - W) / (T - W) and elapsed-time progress
//             (seconds since construction / time limit). On a shared machine the step rate is
//             unknown in advance: a run cut by its time limit still ends annealed at min. Without a
//             time limit (<= 0) it is exactly warm-up + cosine over the steps. Not a pure function
//             of the step (the clock starts at construction, so a limit counts per invocation).
// Schedules are immutable and thread-safe.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

namespace cvpipe::nn {

class LrSchedule {
 public:
  virtual ~LrSchedule() = default;
  virtual double lr(std::int64_t step) const = 0;
  virtual std::string describe() const = 0;
};

using LrSchedulePtr = std::shared_ptr<const LrSchedule>;

LrSchedulePtr constant_lr(double base);
LrSchedulePtr step_lr(double base, std::int64_t step_size, double gamma = 0.1);
LrSchedulePtr cosine_lr(double base, std::int64_t total_steps, double min_lr = 0.0);
LrSchedulePtr warmup_lr(LrSchedulePtr inner, std::int64_t warmup_steps, double start_factor = 0.0);
LrSchedulePtr timed_cosine_lr(double base, double min_lr, std::int64_t warmup_steps, std::int64_t total_steps,
                              double time_limit_s);

// Builds a schedule from a recipe-style description: kind "constant" | "step" | "cosine",
// with warmup_steps > 0 wrapping it in a linear warm-up; total_steps counts the warm-up too.
// Throws std::invalid_argument naming the bad value.
struct ScheduleSpec {
  std::string kind = "constant";
  double base_lr = 1e-3;
  double min_lr = 0.0;          // cosine
  std::int64_t step_size = 0;   // step
  double gamma = 0.1;           // step
  std::int64_t warmup_steps = 0;
  double warmup_start_factor = 0.0;
  std::int64_t total_steps = 0; // cosine
};
LrSchedulePtr make_schedule(const ScheduleSpec& spec);

}  // namespace cvpipe::nn
