// WeightEma: an exponential moving average of a network's parameters (as TF's
// ExponentialMovingAverage and the "EMA generator" of GAN training), kept in plain f32 beside the
// training weights.
//
// update(step) folds the current weights in with decay min(decay, (1 + step) / (10 + step)), so the
// average does not lag far behind early in training. apply() swaps the averaged weights into the
// network (the training copy is kept) and restore() swaps them back; ApplyScope does both. Buffers
// (BatchNorm running statistics) are not averaged. The state is exported to / imported from a
// checkpoint ("<prefix>.<i>" tensors, always the average, whatever is applied), so a resumed run
// continues bit-identically. nn::Trainer::add_ema() calls update() after every step and
// checkpoints the average. Not thread-safe; the network must outlive the object.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "cvpipe/nn/layer.hpp"
#include "cvpipe/nn/safetensors.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::nn {

class WeightEma {
 public:
  // Starts the average at the network's current weights. decay in [0, 1).
  WeightEma(Layer& net, double decay);

  void update(std::int64_t step);
  void apply();
  void restore();
  bool applied() const { return applied_; }
  double decay() const { return decay_; }
  // The averaged values of parameter i (parameters() order).
  const std::vector<float>& average(std::size_t i) const { return average_.at(i); }
  // The training weights of parameter i, whether or not the average is applied.
  std::vector<float> training_weights(std::size_t i) const;

  void export_state(SafeTensors& out, const std::string& prefix) const;
  // Validates everything first; changes nothing on error. `label` names the file in errors.
  Status check_state(const SafeTensors& in, const std::string& prefix, const std::string& label) const;
  Status import_state(const SafeTensors& in, const std::string& prefix, const std::string& label);

  // Applies the average for its lifetime.
  class ApplyScope {
   public:
    explicit ApplyScope(WeightEma& ema) : ema_(ema), was_applied_(ema.applied()) { ema_.apply(); }
    ~ApplyScope() {
      if (!was_applied_) ema_.restore();
    }
    ApplyScope(const ApplyScope&) = delete;
    ApplyScope& operator=(const ApplyScope&) = delete;

   private:
    WeightEma& ema_;
    bool was_applied_;
  };

 private:
  Layer& net_;
  double decay_;
  std::vector<std::vector<float>> average_;
  std::vector<std::vector<float>> backup_;  // the training weights while the average is applied
  bool applied_ = false;
};

}  // namespace cvpipe::nn
