// GanTrainer: the adversarial training step of the class-conditional DCGAN and everything a run
// needs to continue exactly: networks, Adam states, an exponential moving average (EMA) of the
// generator weights, and a step counter from which all randomness derives.
//
// One step = one discriminator update (a real batch with smoothed targets + a fake batch, BCE with
// logits) followed by one generator update with the non-saturating loss (fake batch, target "real").
// Real batches: the dataset shuffled per epoch (seed, epoch); fake classes uniform; latents N(0, 1);
// all drawn from derive_seed(seed, ..., step), so a resumed run continues bit-identically.
// Not thread-safe; the network threads come from nn::set_num_threads.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "cvpipe/nn/metrics_log.hpp"
#include "cvpipe/nn/optim.hpp"
#include "digits_dataset.hpp"
#include "discriminator.hpp"
#include "generator.hpp"

namespace cvpipe::gan {

struct TrainOptions {
  int batch = 64;
  double lr_g = 2e-4;
  double lr_d = 2e-4;
  double beta1 = 0.5;
  double beta2 = 0.999;
  float real_label = 0.9f;   // one-sided label smoothing of the discriminator's real targets
  float fake_label = 0.0f;
  double ema_decay = 0.999;  // 0: no EMA (the shipped generator is then the last weights)
  std::uint64_t seed = 0;
  nn::DType dtype = nn::DType::f32;
};

class GanTrainer {
 public:
  // `data` must outlive the trainer. Networks are initialised with the DCGAN scheme from `seed`.
  GanTrainer(const GanArch& arch, const TrainOptions& options, const DigitsDataset& data);

  // One D update + one G update. Returns d_loss, g_loss, d_real (mean D(x)), d_fake (mean D(G(z))
  // before the G update).
  nn::Metrics step();
  std::int64_t steps_done() const { return step_; }
  std::int64_t epoch() const;

  Generator& generator() { return *g_; }
  Discriminator& discriminator() { return *d_; }

  // Writes the EMA weights into the generator (no-op without EMA). The training copy is kept:
  // restore_training_weights() undoes it.
  void use_ema_weights();
  void restore_training_weights();
  bool ema_active() const { return ema_in_use_; }
  // Recomputes the generator's BatchNorm running statistics for its current weights from
  // `batches` fresh batches (train-mode forwards, no update), leaving it in eval mode.
  void recalibrate_bn(int batches, std::uint64_t seed);

  // Checkpoint: both networks (params + buffers), both optimizers, the EMA and the step.
  Status save_checkpoint(const std::filesystem::path& path) const;
  Status load_checkpoint(const std::filesystem::path& path);

 private:
  void real_batch(std::int64_t step, std::vector<float>& images, std::vector<int>& labels) const;
  void update_ema();

  GanArch arch_;
  TrainOptions opt_;
  const DigitsDataset& data_;
  std::unique_ptr<Generator> g_;
  std::unique_ptr<Discriminator> d_;
  std::unique_ptr<nn::Adam> opt_g_, opt_d_;
  std::vector<std::vector<float>> ema_;     // per generator parameter
  std::vector<std::vector<float>> backup_;  // training weights while the EMA is in use
  bool ema_in_use_ = false;
  std::int64_t step_ = 0;
  mutable std::vector<std::size_t> perm_;   // the current epoch's order
  mutable std::int64_t perm_epoch_ = -1;
};

}  // namespace cvpipe::gan
