// GanModel: what the gan plugin brings to nn::Trainer — the two networks, their Adam optimizers,
// the moving average (EMA) of the generator weights that ships, the digits as an nn dataset, and
// the adversarial step. The loop, metrics, checkpoints, resume and Ctrl-C are nn::Trainer's.
//
// One step = one discriminator update (the real batch toward `real_label` (one-sided label
// smoothing) + a fake batch toward `fake_label`, BCE with logits) followed by one generator update
// with the non-saturating loss (the same fake batch toward "real"). Fake classes are uniform and
// latents N(0, 1), drawn from derive_seed(seed, stream, step): a pure function of the step, so a
// resumed run continues bit-identically. Not thread-safe; the compute threads are the caller's.
#pragma once
#include <cstdint>
#include <memory>

#include "cvpipe/nn/data_loader.hpp"
#include "cvpipe/nn/ema.hpp"
#include "cvpipe/nn/metrics_log.hpp"
#include "cvpipe/nn/optim.hpp"
#include "cvpipe/nn/trainer.hpp"
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

class GanModel {
 public:
  // Networks initialised with the DCGAN scheme from options.seed.
  GanModel(const GanArch& arch, const TrainOptions& options);

  // Registers the networks ("G", "D"), optimizers ("optG", "optD") and the EMA ("ema") with the
  // trainer, so that checkpoints and resume cover them.
  void attach(nn::Trainer& trainer);
  // One D update + one G update on a real batch ([N, 1, S, S] in [-1, 1] with labels). Returns
  // d_loss, g_loss, d_real (mean D(x)), d_fake (mean D(G(z)) before the G update).
  nn::Metrics step(const nn::Batch& real, std::int64_t step);

  Generator& generator() { return *g_; }
  Discriminator& discriminator() { return *d_; }
  const GanArch& arch() const { return arch_; }
  // The generator's weight average (nullptr when ema_decay is 0).
  nn::WeightEma* ema() { return ema_.get(); }
  // Recomputes the generator's BatchNorm running statistics for its current weights from
  // `batches` fresh batches (train-mode forwards, no update), leaving it in eval mode.
  void recalibrate_bn(int batches, std::uint64_t seed);

 private:
  GanArch arch_;
  TrainOptions opt_;
  std::unique_ptr<Generator> g_;
  std::unique_ptr<Discriminator> d_;
  std::unique_ptr<nn::Adam> opt_g_, opt_d_;
  std::unique_ptr<nn::WeightEma> ema_;
};

// The prepared digits (CV_32F in [-1, 1]) with their class labels, for nn::DataLoader.
nn::DatasetPtr as_nn_dataset(std::shared_ptr<const DigitsDataset> digits);

}  // namespace cvpipe::gan
