// translate.train: a paired image-to-image network, L1 + optional PatchGAN; see commands.hpp.
//
// The generator is TranslateNet (a U-Net predicting a residual). With gan_weight > 0 a PatchGAN
// discriminator (70x70-style, 3 stride-2/1 convs on concat(A, B), one logit per patch) is trained
// against it (pix2pix): D minimises BCE(real, 1) + BCE(fake, 0); G minimises
// L1(fake, B) + gan_weight * BCE(D(A, fake), 1). The discriminator is not part of the model file.
#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "commands.hpp"
#include "cvpipe/data.hpp"
#include "cvpipe/nn/data_loader.hpp"
#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/layers.hpp"
#include "cvpipe/nn/loss.hpp"
#include "cvpipe/nn/optim.hpp"
#include "cvpipe/nn/schedule.hpp"
#include "cvpipe/nn/train_command.hpp"
#include "cvpipe/photos.hpp"
#include "lab.hpp"
#include "night_style.hpp"
#include "pairs.hpp"
#include "training_images.hpp"
#include "translate_net.hpp"

namespace cvpipe::colorize {

namespace fs = std::filesystem;

std::vector<ParamSpec> translate_train_params() {
  return nn::trainer_params(
      {.steps = 2000, .lr = 2e-3, .min_lr = 5e-5, .warmup = 100, .log_every = 25, .checkpoint_every = 500},
      {
          ParamSpec::path("pairs", "", false, "folder with a/NAME and b/NAME images (empty: make pairs with `task`)"),
          ParamSpec::choice("task", "night", {"night"}, "synthetic task when pairs is empty: night = day -> night tone mapping"),
          ParamSpec::path("data", "", false, "photos and videos for the synthetic task (empty: the opencv-doc sample folder)"),
          ParamSpec::string("photos", "", "comma-separated photos for the task (empty: the SDK's train_color minus val_photos)"),
          ParamSpec::string("val_photos", "home.jpg,stuff.jpg", "task photos kept out of fitting for validation"),
          ParamSpec::string("videos", "vtest.avi,Megamind.avi,tree.avi", "videos to sample task frames from"),
          ParamSpec::integer("frames_per_video", 8, 0, 10000, "frames taken from each video"),
          ParamSpec::integer("patch", 64, 16, 1024, "training crop side (a multiple of 2^levels)"),
          ParamSpec::integer("batch", 8, 1, 1024, "crops per step"),
          ParamSpec::integer("eval_every", 250, 1, 10000000, "steps between validations"),
          ParamSpec::integer("base_width", 16, 4, 256, "U-Net width of the first level"),
          ParamSpec::integer("max_width", 64, 4, 1024, "U-Net width cap"),
          ParamSpec::integer("levels", 3, 1, 6, "U-Net downsamplings"),
          ParamSpec::number("gan_weight", 0.0, 0.0, 100.0, "weight of the PatchGAN adversarial loss (0: L1 only)"),
      });
}

namespace {

// Pairs made by the synthetic task from photos and video frames.
std::vector<ImagePair> task_pairs(const std::vector<cv::Mat>& images, const std::vector<std::string>& names) {
  std::vector<ImagePair> out;
  for (std::size_t i = 0; i < images.size(); ++i) out.push_back({names[i], images[i], night_style(images[i])});
  return out;
}

// PatchGAN discriminator on concat(A, B) (6 planes in [-0.5, 0.5]).
std::shared_ptr<nn::Sequential> patch_discriminator() {
  auto d = std::make_shared<nn::Sequential>();
  d->emplace<nn::Conv2d>("0", 6, 32, 4, 2, 1);
  d->emplace<nn::LeakyReLU>("1", 0.2f);
  d->emplace<nn::Conv2d>("2", 32, 64, 4, 2, 1);
  d->emplace<nn::BatchNorm2d>("3", 64);
  d->emplace<nn::LeakyReLU>("4", 0.2f);
  d->emplace<nn::Conv2d>("5", 64, 1, 4, 1, 1);
  return d;
}

// concat(a, b) on the channel axis of two plain [N, 3, H, W] f32 tensors.
nn::Tensor concat_planes(const nn::Tensor& a, const nn::Tensor& b) {
  const nn::Dims d = a.dims();
  nn::Tensor out = nn::Tensor::empty({d[0], 6, d[2], d[3]});
  const std::size_t chunk = static_cast<std::size_t>(3 * d[2] * d[3]);
  const float *pa = a.data<float>(), *pb = b.data<float>();
  float* po = out.data<float>();
  for (std::int64_t n = 0; n < d[0]; ++n) {
    std::copy_n(pa + n * chunk, chunk, po + 2 * n * chunk);
    std::copy_n(pb + n * chunk, chunk, po + (2 * n + 1) * chunk);
  }
  return out;
}

Status train_impl(const Params& p, const CommandContext& ctx, std::string& output) {
  nn::UNetOptions unet;
  unet.base_width = static_cast<int>(p.get_int("base_width"));
  unet.max_width = static_cast<int>(p.get_int("max_width"));
  unet.levels = static_cast<int>(p.get_int("levels"));
  const int patch = static_cast<int>(p.get_int("patch"));
  if (patch % (1 << unet.levels)) return Status::invalid("parameter 'patch' must be a multiple of 2^levels = " + std::to_string(1 << unet.levels));
  const auto steps = p.get_int("steps"), batch = p.get_int("batch");
  const auto seed = static_cast<std::uint64_t>(p.get_int("seed"));
  const double gan_weight = p.get_number("gan_weight");

  std::vector<ImagePair> train, val;
  std::string task;
  if (!p.get_string("pairs").empty()) {
    std::vector<ImagePair> all;
    CVPIPE_RETURN_IF_ERROR(load_pairs(p.get_string("pairs"), all));
    for (std::size_t i = 0; i < all.size(); ++i) (all.size() >= 10 && i % 10 == 9 ? val : train).push_back(all[i]);
    if (val.empty()) val = {train.front()};
  } else {
    task = p.get_string("task");
    const fs::path data = p.get_string("data").empty() ? data_dir() : fs::path(p.get_string("data"));
    TrainingSet set;
    CVPIPE_RETURN_IF_ERROR(load_training_set(data, p, "val_photos", set));
    train = task_pairs(set.images, set.names);
    val = task_pairs(set.kept_out, set.kept_out_names);
  }
  for (const auto& pr : train) {
    if (pr.a.rows < patch || pr.a.cols < patch) return Status::invalid("pair '" + pr.name + "' is smaller than the patch (" + std::to_string(patch) + ")");
  }

  TranslateNet net(unet, task);
  nn::Rng init_rng(nn::derive_seed(seed, 0x7A5));
  nn::init_network(net.module(), nn::InitScheme::kaiming, init_rng);
  {  // start at the identity: the residual head begins near zero
    auto named = net.module().named_parameters();
    for (auto& np : named) {
      if (np.name.rfind("head.", 0) == 0) {
        float* w = np.param->value.data<float>();
        for (std::int64_t i = 0; i < np.param->numel(); ++i) w[i] *= 0.1f;
        np.param->mark_updated();
      }
    }
  }

  auto dataset = std::make_shared<nn::FunctionDataset>(
      static_cast<std::size_t>(p.get_int("eval_every") * batch), [&train, patch](std::size_t, nn::Rng& rng) {
        const ImagePair& pr = train[static_cast<std::size_t>(nn::uniform_int(rng, 0, static_cast<std::int64_t>(train.size()) - 1))];
        const int x = static_cast<int>(nn::uniform_int(rng, 0, pr.a.cols - patch));
        const int y = static_cast<int>(nn::uniform_int(rng, 0, pr.a.rows - patch));
        const cv::Rect r(x, y, patch, patch);
        nn::Sample s;
        pr.a(r).convertTo(s.image, CV_32FC3, 1.0 / 255.0, -0.5);
        pr.b(r).convertTo(s.target, CV_32FC3, 1.0 / 255.0, -0.5);
        if (nn::bernoulli(rng, 0.5)) {
          cv::flip(s.image, s.image, 1);
          cv::flip(s.target, s.target, 1);
        }
        return s;
      });
  nn::LoaderOptions lo;
  lo.batch_size = static_cast<std::size_t>(batch);
  lo.shuffle = false;
  lo.seed = seed;
  lo.prefetch = 2;
  nn::DataLoader loader(dataset, lo);

  nn::AdamOptions ao;
  ao.lr = p.get_number("lr");
  nn::Adam adam(net.module().parameters(), ao);
  const auto warmup = std::min<std::int64_t>(p.get_int("warmup"), steps - 1);
  auto schedule = nn::warmup_lr(nn::cosine_lr(ao.lr, steps - warmup, p.get_number("min_lr")), warmup, 0.01);

  std::shared_ptr<nn::Sequential> disc;
  std::unique_ptr<nn::Adam> adam_d;
  if (gan_weight > 0) {
    disc = patch_discriminator();
    nn::Rng drng(nn::derive_seed(seed, 0xD15C));
    nn::init_network(*disc, nn::InitScheme::kaiming, drng);
    nn::AdamOptions ad;
    ad.lr = p.get_number("lr") * 0.5;
    ad.beta1 = 0.5;
    adam_d = std::make_unique<nn::Adam>(disc->parameters(), ad);
  }

  nn::TrainerOptions to = nn::trainer_options(p, ctx);
  to.steps_per_epoch = p.get_int("eval_every");
  to.eval_every = p.get_int("eval_every");
  to.name = "translate";
  nn::Trainer trainer(to);
  trainer.add_module("net", net.module());
  trainer.add_optimizer("adam", adam, schedule);
  if (disc) {
    trainer.add_module("disc", *disc);
    trainer.add_optimizer("adam_d", *adam_d, nn::constant_lr(p.get_number("lr") * 0.5));
  }
  trainer.add_loader("train", loader);
  trainer.set_metadata("architecture", net.architecture_json());

  trainer.set_step([&](const nn::StepContext&) -> nn::Metrics {
    nn::Batch b = loader.next();
    net.module().train();
    // fake = a + residual, both in [-0.5, 0.5] units
    const std::vector<float> residual = net.module().forward(b.images).to_vector();
    nn::Tensor fake = nn::Tensor::empty(b.images.dims());
    {
      const float* a = b.images.data<float>();
      float* f = fake.data<float>();
      for (std::size_t i = 0; i < residual.size(); ++i) f[i] = a[i] + residual[i];
    }
    nn::LossResult l1 = nn::l1_loss(fake, b.targets);
    nn::Metrics m{{"loss", l1.loss}};
    nn::Tensor grad = l1.grad;
    if (disc) {
      disc->train();
      adam_d->zero_grad();
      const nn::LossResult dr = nn::bce_with_logits(disc->forward(concat_planes(b.images, b.targets)), 1.f);
      disc->backward(dr.grad);
      const nn::LossResult df = nn::bce_with_logits(disc->forward(concat_planes(b.images, fake)), 0.f);
      disc->backward(df.grad);
      adam_d->step();
      const nn::LossResult adv = nn::bce_with_logits(disc->forward(concat_planes(b.images, fake)), 1.f);
      const std::vector<float> dx = disc->backward(adv.grad).to_vector();  // d adv / d concat(a, fake)
      const nn::Dims d = b.images.dims();
      const std::size_t chunk = static_cast<std::size_t>(3 * d[2] * d[3]);
      float* g = grad.data<float>();
      for (std::int64_t n = 0; n < d[0]; ++n)
        for (std::size_t i = 0; i < chunk; ++i) g[n * chunk + i] += static_cast<float>(gan_weight) * dx[(2 * n + 1) * chunk + i];
      m.push_back({"d_loss", 0.5 * (dr.loss + df.loss)});
      m.push_back({"g_adv", adv.loss});
    }
    adam.zero_grad();
    net.module().backward(grad);
    adam.step();
    return m;
  });
  trainer.set_eval([&](const nn::StepContext&) -> nn::Metrics {
    double sum = 0, sum_id = 0;
    for (const auto& pr : val) {
      cv::Mat out;
      const Status s = net.translate(pr.a, out);
      if (!s.ok()) throw nn::Error(s.message());
      sum += psnr(out, pr.b);
      sum_id += psnr(pr.a, pr.b);
    }
    net.module().train();
    return {{"val_psnr", sum / val.size()}, {"val_psnr_identity", sum_id / val.size()}};
  });

  if (!ctx.resume.empty()) CVPIPE_RETURN_IF_ERROR(trainer.resume(ctx.resume));
  const nn::TrainResult result = trainer.run();
  return nn::finish_training(result, p, ctx,
                             [&](const fs::path& f, const nn::ModelInfo& info) { return net.save(f, info); }, output);
}

}  // namespace

Status run_translate_train(const Params& params, const CommandContext& ctx, std::string& output) {
  return guard([&] { return train_impl(params, ctx, output); });
}

}  // namespace cvpipe::colorize
