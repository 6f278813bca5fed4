// GanModel: see gan_model.hpp.
#include "gan_model.hpp"

#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/random.hpp"
#include "gan_loss.hpp"

namespace cvpipe::gan {
namespace {

// Stream ids for derive_seed.
constexpr std::uint64_t kInitStream = 1, kFakeStream = 3, kCalibStream = 4;

std::vector<int> random_classes(nn::Rng& rng, int n, int classes) {
  std::vector<int> out(static_cast<std::size_t>(n));
  for (auto& c : out) c = static_cast<int>(nn::uniform_int(rng, 0, classes - 1));
  return out;
}

std::vector<float> normal_vector(nn::Rng& rng, std::size_t n) {
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(nn::normal01(rng));
  return v;
}

}  // namespace

GanModel::GanModel(const GanArch& arch, const TrainOptions& options) : arch_(arch), opt_(options) {
  g_ = std::make_unique<Generator>(arch);
  d_ = std::make_unique<Discriminator>(arch);
  nn::Rng rng(nn::derive_seed(options.seed, kInitStream));
  nn::init_network(g_->net(), nn::InitScheme::gan, rng);
  nn::init_network(d_->net(), nn::InitScheme::gan, rng);
  if (options.dtype != nn::DType::f32) {
    g_->net().set_dtype(options.dtype);
    d_->net().set_dtype(options.dtype);
  }
  g_->train(true);
  d_->train(true);
  nn::AdamOptions ag{options.lr_g, options.beta1, options.beta2, 1e-8, 0.0, false};
  nn::AdamOptions ad{options.lr_d, options.beta1, options.beta2, 1e-8, 0.0, false};
  opt_g_ = std::make_unique<nn::Adam>(g_->net().parameters(), ag);
  opt_d_ = std::make_unique<nn::Adam>(d_->net().parameters(), ad);
  if (options.ema_decay > 0) ema_ = std::make_unique<nn::WeightEma>(g_->net(), options.ema_decay);
}

void GanModel::attach(nn::Trainer& trainer) {
  trainer.add_module("G", g_->net());
  trainer.add_module("D", d_->net());
  trainer.add_optimizer("optG", *opt_g_);
  trainer.add_optimizer("optD", *opt_d_);
  if (ema_) trainer.add_ema("ema", *ema_);
}

nn::Metrics GanModel::step(const nn::Batch& real, std::int64_t step) {
  const int b = static_cast<int>(real.size());
  nn::Rng rng(nn::derive_seed(opt_.seed, kFakeStream, static_cast<std::uint64_t>(step)));
  const std::vector<int> fake_labels = random_classes(rng, b, arch_.num_classes);
  const std::vector<float> z = normal_vector(rng, static_cast<std::size_t>(b) * arch_.z_dim);

  // Discriminator: real batch toward real_label, fake batch toward fake_label. G's output is a
  // constant here: no gradient w.r.t. D's input.
  g_->train(true);
  d_->train(true);
  d_->set_input_grad(false);
  const nn::Tensor fake = g_->forward(z, one_hot(fake_labels, arch_.num_classes), b);
  opt_d_->zero_grad();
  const LogitLoss lr = bce_with_logits(d_->forward(real.images, real.labels), opt_.real_label);
  d_->backward(lr.grad);
  const LogitLoss lf = bce_with_logits(d_->forward(fake, fake_labels), opt_.fake_label);
  d_->backward(lf.grad);
  opt_d_->step();

  // Generator: non-saturating loss, D(G(z)) toward "real" (target 1).
  opt_g_->zero_grad();
  d_->set_input_grad(true);
  const LogitLoss lg = bce_with_logits(d_->forward(fake, fake_labels), 1.0f);
  const nn::Tensor dx = d_->backward(lg.grad);
  g_->backward(dx);
  opt_g_->step();
  return {{"d_loss", lr.loss + lf.loss}, {"g_loss", lg.loss}, {"d_real", lr.mean_sigmoid}, {"d_fake", lf.mean_sigmoid}};
}

void GanModel::recalibrate_bn(int batches, std::uint64_t seed) {
  // With a fixed generator, the exponential running average (momentum 0.1) over enough batches
  // converges to the statistics of these weights.
  g_->train(true);
  for (int k = 0; k < batches; ++k) {
    nn::Rng rng(nn::derive_seed(seed, kCalibStream, static_cast<std::uint64_t>(k)));
    const auto labels = random_classes(rng, opt_.batch, arch_.num_classes);
    const auto z = normal_vector(rng, static_cast<std::size_t>(opt_.batch) * arch_.z_dim);
    g_->forward(z, one_hot(labels, arch_.num_classes), opt_.batch);
  }
  g_->eval();
}

nn::DatasetPtr as_nn_dataset(std::shared_ptr<const DigitsDataset> digits) {
  const std::size_t n = digits->size();
  return std::make_shared<nn::FunctionDataset>(n, [digits](std::size_t i, nn::Rng&) {
    nn::Sample s;
    s.image = digits->image(i);
    s.label = digits->label(i);
    return s;
  });
}

}  // namespace cvpipe::gan
