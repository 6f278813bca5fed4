// GanTrainer: see gan_trainer.hpp.
#include "gan_trainer.hpp"

#include <algorithm>
#include <numeric>

#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/random.hpp"
#include "cvpipe/nn/safetensors.hpp"
#include "gan_loss.hpp"
#include "latent.hpp"

namespace cvpipe::gan {
namespace {

// Stream ids for derive_seed.
constexpr std::uint64_t kInitStream = 1, kShuffleStream = 2, kFakeStream = 3, kCalibStream = 4;

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

GanTrainer::GanTrainer(const GanArch& arch, const TrainOptions& options, const DigitsDataset& data)
    : arch_(arch), opt_(options), data_(data) {
  if (data.size() < static_cast<std::size_t>(options.batch))
    throw nn::Error("gan train: the dataset has " + std::to_string(data.size()) + " images, fewer than one batch of " +
                    std::to_string(options.batch));
  if (data.image_size() != arch.image_size)
    throw nn::Error("gan train: dataset images are " + std::to_string(data.image_size()) + " px, the generator makes " +
                    std::to_string(arch.image_size));
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
  if (options.ema_decay > 0) {
    for (nn::Parameter* p : g_->net().parameters()) ema_.push_back(p->value.to_vector());
  }
}

std::int64_t GanTrainer::epoch() const {
  const std::int64_t per_epoch = static_cast<std::int64_t>(data_.size()) / opt_.batch;
  return step_ / per_epoch;
}

void GanTrainer::real_batch(std::int64_t step, std::vector<float>& images, std::vector<int>& labels) const {
  const std::int64_t per_epoch = static_cast<std::int64_t>(data_.size()) / opt_.batch;
  const std::int64_t epoch = step / per_epoch, k = step % per_epoch;
  if (epoch != perm_epoch_) {
    perm_.resize(data_.size());
    std::iota(perm_.begin(), perm_.end(), std::size_t{0});
    nn::Rng rng(nn::derive_seed(opt_.seed, kShuffleStream, static_cast<std::uint64_t>(epoch)));
    for (std::size_t i = perm_.size() - 1; i > 0; --i)  // Fisher-Yates with the portable draw
      std::swap(perm_[i], perm_[static_cast<std::size_t>(nn::uniform_int(rng, 0, static_cast<std::int64_t>(i)))]);
    perm_epoch_ = epoch;
  }
  std::vector<std::size_t> idx(perm_.begin() + k * opt_.batch, perm_.begin() + (k + 1) * opt_.batch);
  data_.gather(idx, images);
  labels.resize(idx.size());
  for (std::size_t i = 0; i < idx.size(); ++i) labels[i] = data_.label(idx[i]);
}

nn::Metrics GanTrainer::step() {
  if (ema_in_use_) restore_training_weights();
  const int b = opt_.batch;
  const std::int64_t s = arch_.image_size;
  std::vector<float> real;
  std::vector<int> real_labels;
  real_batch(step_, real, real_labels);
  nn::Rng rng(nn::derive_seed(opt_.seed, kFakeStream, static_cast<std::uint64_t>(step_)));
  const std::vector<int> fake_labels = random_classes(rng, b, arch_.num_classes);
  const std::vector<float> z = normal_vector(rng, static_cast<std::size_t>(b) * arch_.z_dim);

  // Discriminator: real batch toward real_label, fake batch toward fake_label. G's output is a
  // constant here: no gradient w.r.t. D's input.
  g_->train(true);
  d_->train(true);
  d_->set_input_grad(false);
  const nn::Tensor fake = g_->forward(z, one_hot(fake_labels, arch_.num_classes), b);
  opt_d_->zero_grad();
  const nn::Tensor real_t = nn::Tensor::from_vector({b, 1, s, s}, real);
  const LogitLoss lr = bce_with_logits(d_->forward(real_t, real_labels), opt_.real_label);
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
  update_ema();
  ++step_;
  return {{"d_loss", lr.loss + lf.loss}, {"g_loss", lg.loss}, {"d_real", lr.mean_sigmoid}, {"d_fake", lf.mean_sigmoid}};
}

void GanTrainer::update_ema() {
  if (ema_.empty()) return;
  // Early on the average would lag far behind: use min(decay, (1 + t) / (10 + t)) as TF's EMA does.
  const double t = static_cast<double>(step_);
  const float d = static_cast<float>(std::min(opt_.ema_decay, (1.0 + t) / (10.0 + t)));
  const auto params = g_->net().parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    const float* v = params[i]->value.data<float>();
    float* e = ema_[i].data();
    const std::size_t n = ema_[i].size();
    for (std::size_t j = 0; j < n; ++j) e[j] = d * e[j] + (1.f - d) * v[j];
  }
}

void GanTrainer::use_ema_weights() {
  if (ema_.empty() || ema_in_use_) return;
  const auto params = g_->net().parameters();
  backup_.clear();
  for (std::size_t i = 0; i < params.size(); ++i) {
    backup_.push_back(params[i]->value.to_vector());
    params[i]->value.from_vector(ema_[i]);
    params[i]->mark_updated();
  }
  ema_in_use_ = true;
}

void GanTrainer::restore_training_weights() {
  if (!ema_in_use_) return;
  const auto params = g_->net().parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    params[i]->value.from_vector(backup_[i]);
    params[i]->mark_updated();
  }
  backup_.clear();
  ema_in_use_ = false;
}

void GanTrainer::recalibrate_bn(int batches, std::uint64_t seed) {
  // With a fixed generator, the exponential running average (momentum 0.1) over enough batches
  // converges to the statistics of these weights; start it from the first batch's values.
  g_->train(true);
  for (int k = 0; k < batches; ++k) {
    nn::Rng rng(nn::derive_seed(seed, kCalibStream, static_cast<std::uint64_t>(k)));
    const auto labels = random_classes(rng, opt_.batch, arch_.num_classes);
    const auto z = normal_vector(rng, static_cast<std::size_t>(opt_.batch) * arch_.z_dim);
    g_->forward(z, one_hot(labels, arch_.num_classes), opt_.batch);
  }
  g_->eval();
}

Status GanTrainer::save_checkpoint(const std::filesystem::path& path) const {
  auto* self = const_cast<GanTrainer*>(this);
  nn::SafeTensors st;
  for (auto [prefix, net] : {std::pair<const char*, nn::Layer*>{"G.", &self->g_->net()}, {"D.", &self->d_->net()}}) {
    const auto named = net->named_parameters();
    for (std::size_t i = 0; i < named.size(); ++i) {
      // While the EMA is in use the live generator holds it: store the training weights.
      const bool from_backup = ema_in_use_ && prefix[0] == 'G';
      st.set_f32(prefix + named[i].name, named[i].param->value.dims(),
                 from_backup ? backup_[i] : named[i].param->value.to_vector());
    }
    for (const auto& nb : net->named_buffers()) st.set_f32(prefix + nb.name, nb.tensor.dims(), nb.tensor.to_vector());
  }
  for (std::size_t i = 0; i < ema_.size(); ++i) {
    const auto dims = self->g_->net().parameters()[i]->value.dims();
    st.set_f32("ema." + std::to_string(i), dims, ema_[i]);
  }
  opt_g_->export_state(st, "optG.");
  opt_d_->export_state(st, "optD.");
  st.metadata["format"] = "cvpipe-gan-checkpoint/1";
  st.metadata["arch"] = arch_.to_json();
  st.metadata["step"] = std::to_string(step_);
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  return st.save(path);
}

Status GanTrainer::load_checkpoint(const std::filesystem::path& path) {
  const std::string where = "gan checkpoint '" + path.string() + "'";
  nn::SafeTensors st;
  CVPIPE_RETURN_IF_ERROR(nn::SafeTensors::load(path, st));
  if (st.metadata["format"] != "cvpipe-gan-checkpoint/1") return Status::invalid(where + " is not a gan checkpoint");
  if (st.metadata["arch"] != arch_.to_json())
    return Status::invalid(where + " has architecture " + st.metadata["arch"] + ", the recipe asks for " + arch_.to_json());
  restore_training_weights();
  auto load_into = [&](const std::string& name, nn::Tensor t) -> Status {
    const nn::StTensor* s = st.find(name);
    if (!s) return Status::invalid(where + ": tensor '" + name + "' is missing");
    if (s->shape != t.dims()) return Status::invalid(where + ": tensor '" + name + "' has shape " + nn::st_shape_string(s->shape));
    t.from_vector(s->to_f32());
    return {};
  };
  for (auto [prefix, net] : {std::pair<const char*, nn::Layer*>{"G.", &g_->net()}, {"D.", &d_->net()}}) {
    for (const auto& np : net->named_parameters()) {
      CVPIPE_RETURN_IF_ERROR(load_into(prefix + np.name, np.param->value));
      np.param->mark_updated();
    }
    for (const auto& nb : net->named_buffers()) CVPIPE_RETURN_IF_ERROR(load_into(prefix + nb.name, nb.tensor));
  }
  for (std::size_t i = 0; i < ema_.size(); ++i) {
    const nn::StTensor* s = st.find("ema." + std::to_string(i));
    if (!s || s->numel() != static_cast<std::int64_t>(ema_[i].size()))
      return Status::invalid(where + ": EMA tensor " + std::to_string(i) + " is missing or has the wrong size");
    ema_[i] = s->to_f32();
  }
  CVPIPE_RETURN_IF_ERROR(opt_g_->import_state(st, "optG.", where));
  CVPIPE_RETURN_IF_ERROR(opt_d_->import_state(st, "optD.", where));
  try {
    step_ = std::stoll(st.metadata["step"]);
  } catch (...) {
    return Status::invalid(where + ": metadata 'step' is not a number");
  }
  perm_epoch_ = -1;
  return {};
}

}  // namespace cvpipe::gan
