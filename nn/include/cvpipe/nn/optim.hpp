// Optimizers over Parameters (plain f32 value/grad, see parameter.hpp): SGD (momentum, dampening,
// Nesterov, weight decay), Adam (L2 weight decay) and AdamW (decoupled weight decay), with PyTorch's
// update rules (torch.optim, foreach=False, amsgrad=False, maximize=False).
//
// step() updates every parameter from its grad, then calls Parameter::mark_updated(); it does not
// clear grads (zero_grad() does). Weight decay applies only to parameters with `decay == true`
// unless `decay_all` is set (torch decays all parameters of a group). The update loops are
// OpenMP-parallel over elements and vectorisable; each element's arithmetic is independent of the
// thread count, so training is deterministic. State (momentum buffers, Adam moments, the step
// count) exports to / imports from a SafeTensors for checkpoints; import validates the optimizer
// type, parameter count and every buffer's shape. Not thread-safe.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cvpipe/nn/parameter.hpp"
#include "cvpipe/nn/safetensors.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::nn {

class Optimizer {
 public:
  Optimizer(std::vector<Parameter*> params, double lr);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  virtual std::string type() const = 0;
  // Calls the gradient hook (if any), then updates every parameter.
  void step();
  // Runs at the start of every step() with the parameters, before any update reads a gradient:
  // the Trainer averages gradients across ranks here (distributed.hpp). Empty: none.
  using GradientHook = std::function<void(const std::vector<Parameter*>&)>;
  void set_gradient_hook(GradientHook hook) { gradient_hook_ = std::move(hook); }
  void zero_grad();

  double lr() const { return lr_; }
  void set_lr(double lr) { lr_ = lr; }
  std::int64_t steps() const { return steps_; }
  const std::vector<Parameter*>& params() const { return params_; }

  // State as tensors "<prefix><i>.<buffer>" (i = parameter index) and metadata "<prefix>type",
  // "<prefix>steps" (plus "<prefix>lr"). import_state() restores it exactly (bit-identical).
  void export_state(SafeTensors& out, const std::string& prefix = "optim.") const;
  Status import_state(const SafeTensors& in, const std::string& prefix = "optim.", const std::string& label = "checkpoint");
  // The checks of import_state() without changing anything.
  Status check_state(const SafeTensors& in, const std::string& prefix = "optim.", const std::string& label = "checkpoint") const;

 protected:
  // Updates one parameter; `step` is 1 for the first update. Buffers are sized to numel.
  virtual void update(std::size_t index, Parameter& p, std::int64_t step) = 0;
  // Names of the per-parameter state buffers (all f32, numel elements each).
  virtual std::vector<std::string> buffer_names() const = 0;
  // Buffer b of parameter i (created lazily, zero-filled).
  std::vector<float>& buffer(std::size_t i, std::size_t b);
  bool has_buffer(std::size_t i, std::size_t b) const;

  struct LoadedState {
    std::vector<std::vector<std::vector<float>>> buffers;
    std::int64_t steps = 0;
    double lr = -1.0;
  };
  Status read_state(const SafeTensors& in, const std::string& prefix, const std::string& label, LoadedState* out) const;

  std::vector<Parameter*> params_;
  double lr_;
  std::int64_t steps_ = 0;

 private:
  GradientHook gradient_hook_;
  // state_[i][b]: empty until first used.
  std::vector<std::vector<std::vector<float>>> state_;
};

struct SgdOptions {
  double lr = 0.01;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
  bool decay_all = false;
};

class Sgd final : public Optimizer {
 public:
  Sgd(std::vector<Parameter*> params, SgdOptions options);
  std::string type() const override { return "SGD"; }
  const SgdOptions& options() const { return o_; }

 protected:
  void update(std::size_t index, Parameter& p, std::int64_t step) override;
  std::vector<std::string> buffer_names() const override { return {"momentum_buffer"}; }

 private:
  SgdOptions o_;
};

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;  // Adam: L2 added to the gradient; AdamW: decoupled (torch default 0.01)
  bool decay_all = false;
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Parameter*> params, AdamOptions options, bool decoupled = false);
  std::string type() const override { return decoupled_ ? "AdamW" : "Adam"; }
  const AdamOptions& options() const { return o_; }

 protected:
  void update(std::size_t index, Parameter& p, std::int64_t step) override;
  std::vector<std::string> buffer_names() const override { return {"exp_avg", "exp_avg_sq"}; }

 private:
  AdamOptions o_;
  bool decoupled_;
};

class AdamW final : public Adam {
 public:
  AdamW(std::vector<Parameter*> params, AdamOptions options) : Adam(std::move(params), options, true) {}
};

// Scales all grads so their global L2 norm is at most max_norm (torch clip_grad_norm_);
// returns the norm before clipping.
double clip_grad_norm(const std::vector<Parameter*>& params, double max_norm);

// Builds an optimizer from a recipe-style name: "sgd", "adam", "adamw" (case-insensitive).
// Throws std::invalid_argument for an unknown name.
struct OptimizerSpec {
  std::string name = "adam";
  double lr = 1e-3;
  double momentum = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};
std::unique_ptr<Optimizer> make_optimizer(const OptimizerSpec& spec, std::vector<Parameter*> params);

}  // namespace cvpipe::nn
