// Training the inpainting network; see train_command.hpp.
#include "train_command.hpp"

#include <cmath>


#include "cvpipe/data.hpp"
#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/optim.hpp"
#include "cvpipe/nn/train_command.hpp"
#include "cvpipe/photos.hpp"
#include "hole_psnr.hpp"
#include "network.hpp"
#include "cvpipe/nn/schedule.hpp"
#include "train_data.hpp"

namespace cvpipe::inpaint {

namespace fs = std::filesystem;

std::vector<ParamSpec> train_params() {
  const nn::UNetOptions u = default_unet();
  return nn::trainer_params(
      {.steps = 10000, .lr = 1e-3, .min_lr = 1e-5, .warmup = 200, .log_every = 25, .checkpoint_zero = "every epoch", .seeds = "initialisation, patches and masks"},
      {
          ParamSpec::integer("base_width", u.base_width, 4, 256, "U-Net width of the first level"),
          ParamSpec::integer("max_width", u.max_width, 4, 1024, "U-Net width cap of the deeper levels"),
          ParamSpec::integer("levels", u.levels, 1, 6, "U-Net downsamplings"),
          ParamSpec::string("dilations", "2,4", "dilations of the extra bottleneck convs, comma-separated (empty: none)"),
          ParamSpec::boolean("gated", u.gated, "gated convolutions in every U-Net block"),
          ParamSpec::integer("patch", 64, 16, 1024, "training patch side in pixels (a multiple of 2^levels)"),
          ParamSpec::integer("batch", 8, 1, 1024, "patches per step"),
          ParamSpec::integer("epoch_steps", 500, 1, 10000000, "steps per epoch (validation and checkpoint after each)"),
          ParamSpec::number("grad_clip", 1.0, 0.0, 1e6, "clip the global gradient norm to this (0: off)"),
          ParamSpec::number("coverage_min", 0.03, 0.0, 0.9, "smallest hole fraction of a training patch"),
          ParamSpec::number("coverage_max", 0.30, 0.0, 0.9, "largest hole fraction of a training patch"),
          ParamSpec::number("known_weight", 0.0, 0.0, 10.0, "weight of the L1 loss outside the hole (inside: 1)"),
          ParamSpec::number("grad_weight", 0.0, 0.0, 10.0, "weight of the L1 loss on image gradients at hole pixels"),
          ParamSpec::path("data", "", false, "folder of the photographs (empty: the opencv-doc sample folder)"),
          ParamSpec::string("photos", "", "comma-separated training files (empty: the training photos of cvpipe/photos.hpp)"),
          ParamSpec::string("val_photos", "", "comma-separated validation files (empty: the held-out photos)"),
          ParamSpec::integer("val_crop", 256, 16, 4096, "side of the centre crops used for validation"),
      });
}

namespace {

Status parse_dilations(const std::string& text, std::vector<int>& out) {
  out.clear();
  for (const auto& item : split_list(text)) {
    if (item.size() > 3 || item.find_first_not_of("0123456789") != std::string::npos || std::stoi(item) < 1) {
      return Status::invalid("parameter 'dilations': '" + text + "' must be positive integers separated by commas");
    }
    out.push_back(std::stoi(item));
  }
  return {};
}

// The loss of one batch. y: network residuals [N, 3, H, W]; t: targets [N, 4, H, W] (residual +
// mask). Fills grad (plain f32, y's dims) and returns {loss, hole PSNR of the batch}.
std::pair<double, double> masked_l1(const float* y, const float* t, const nn::Dims& d, double known_weight,
                                    double grad_weight, float* grad) {
  const std::int64_t n = d[0], h = d[2], w = d[3], plane = h * w;
  double holes = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const float* m = t + (i * 4 + 3) * plane;
    for (std::int64_t k = 0; k < plane; ++k) holes += m[k];
  }
  const double norm = 1.0 / (3.0 * std::max(1.0, holes));
  double loss = 0, sse = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const float* m = t + (i * 4 + 3) * plane;
    for (int c = 0; c < 3; ++c) {
      const float* yc = y + (i * 3 + c) * plane;
      const float* tc = t + (i * 4 + c) * plane;
      float* gc = grad + (i * 3 + c) * plane;
      for (std::int64_t k = 0; k < plane; ++k) {
        const double e = static_cast<double>(yc[k]) - tc[k];
        const double wgt = m[k] > 0.5f ? 1.0 : known_weight;
        if (m[k] > 0.5f) sse += e * e;
        loss += wgt * std::abs(e) * norm;
        gc[k] = static_cast<float>(wgt * norm * ((e > 0) - (e < 0)));
      }
      if (grad_weight <= 0) continue;
      // Differences of the error along x and y, for pairs touching the hole.
      auto pair_term = [&](std::int64_t a, std::int64_t b) {
        if (m[a] < 0.5f && m[b] < 0.5f) return;
        const double de = (static_cast<double>(yc[b]) - tc[b]) - (static_cast<double>(yc[a]) - tc[a]);
        loss += grad_weight * std::abs(de) * norm;
        const float s = static_cast<float>(grad_weight * norm * ((de > 0) - (de < 0)));
        gc[b] += s;
        gc[a] -= s;
      };
      for (std::int64_t r = 0; r < h; ++r)
        for (std::int64_t x = 0; x + 1 < w; ++x) pair_term(r * w + x, r * w + x + 1);
      for (std::int64_t r = 0; r + 1 < h; ++r)
        for (std::int64_t x = 0; x < w; ++x) pair_term(r * w + x, (r + 1) * w + x);
    }
  }
  const double mse = sse / (3.0 * std::max(1.0, holes));
  return {loss, 10.0 * std::log10(1.0 / std::max(mse, 1e-12))};
}

Status train_impl(const Params& p, const CommandContext& ctx, std::string& output) {
  nn::UNetOptions u = default_unet();
  u.base_width = static_cast<int>(p.get_int("base_width"));
  u.max_width = static_cast<int>(p.get_int("max_width"));
  u.levels = static_cast<int>(p.get_int("levels"));
  u.gated = p.get_bool("gated");
  CVPIPE_RETURN_IF_ERROR(parse_dilations(p.get_string("dilations"), u.bottleneck_dilations));
  const int patch = static_cast<int>(p.get_int("patch"));
  const int multiple = nn::unet_multiple(u);
  if (patch % multiple) {
    return Status::invalid("parameter 'patch' (" + std::to_string(patch) + ") must be a multiple of 2^levels = " + std::to_string(multiple));
  }
  PatchOptions po;
  po.patch = patch;
  po.masks = {p.get_number("coverage_min"), p.get_number("coverage_max")};
  if (po.masks.max_coverage < po.masks.min_coverage) return Status::invalid("parameter 'coverage_max' must be >= 'coverage_min'");
  const auto steps = p.get_int("steps");
  const auto epoch_steps = p.get_int("epoch_steps");
  const auto batch = p.get_int("batch");
  const auto seed = static_cast<std::uint64_t>(p.get_int("seed"));
  const double known_weight = p.get_number("known_weight"), grad_weight = p.get_number("grad_weight");

  const fs::path data = p.get_string("data").empty() ? data_dir() : fs::path(p.get_string("data"));
  std::error_code ec;
  fs::create_directories(ctx.out_dir, ec);
  if (ec) return Status::io("cannot create output folder '" + ctx.out_dir.string() + "': " + ec.message());

  std::vector<std::string> train_files = split_list(p.get_string("photos"));
  if (train_files.empty()) train_files = photo_lists().train_color;
  std::vector<std::string> val_files = split_list(p.get_string("val_photos"));
  if (val_files.empty()) val_files = photo_lists().held_out;
  std::vector<cv::Mat> photos, val_photos;
  CVPIPE_RETURN_IF_ERROR(load_photos(data, train_files, 3, photos));
  CVPIPE_RETURN_IF_ERROR(load_photos(data, val_files, 3, val_photos));
  for (std::size_t i = 0; i < photos.size(); ++i) {
    if (photos[i].rows < patch || photos[i].cols < patch) {
      return Status::invalid("photo '" + train_files[i] + "' is smaller than the patch (" + std::to_string(patch) + ")");
    }
  }

  InpaintNet net(u);
  {
    nn::Rng init_rng(nn::derive_seed(seed, 0x1417));
    nn::init_network(net.module(), nn::InitScheme::kaiming, init_rng);
    // Start at the Telea fill (residual ~ 0): scale the head down.
    for (auto& np : net.module().named_parameters()) {
      if (np.name != "head.weight") continue;
      float* w = np.param->value.data<float>();
      for (std::int64_t i = 0; i < np.param->numel(); ++i) w[i] *= 0.1f;
      np.param->mark_updated();
    }
  }

  auto dataset = make_patch_dataset(photos, static_cast<std::size_t>(epoch_steps * batch), po);
  nn::LoaderOptions lo;
  lo.batch_size = static_cast<std::size_t>(batch);
  lo.shuffle = false;  // every sample is random already
  lo.seed = seed;
  lo.prefetch = 3;
  nn::DataLoader loader(dataset, lo);

  const MaskOptions val_masks{0.05, 0.20};
  const auto val = make_validation_set(val_photos, static_cast<int>(p.get_int("val_crop")), multiple, val_masks, seed + 1);
  double telea_psnr = 0;
  for (const auto& item : val) telea_psnr += hole_psnr(coarse_fill(item.original, item.mask), item.original, item.mask);
  telea_psnr /= std::max<std::size_t>(1, val.size());

  auto params = net.module().parameters();
  nn::AdamOptions ao;
  ao.lr = p.get_number("lr");
  nn::Adam adam(params, ao);
  const double time_limit_s = p.get_number("time_limit") * 60.0;
  auto schedule = nn::timed_cosine_lr(
      ao.lr, p.get_number("min_lr"), std::min<std::int64_t>(p.get_int("warmup"), steps - 1), steps, time_limit_s);

  nn::TrainerOptions to = nn::trainer_options(p, ctx);
  to.steps_per_epoch = epoch_steps;
  to.eval_every = epoch_steps;
  if (to.checkpoint_every == 0) to.checkpoint_every = epoch_steps;
  to.name = "inpaint";
  nn::Trainer trainer(to);
  trainer.add_module("net", net.module());
  trainer.add_optimizer("adam", adam, schedule);
  trainer.add_loader("train", loader);
  trainer.set_metadata("architecture", net.architecture_json());

  const double clip = p.get_number("grad_clip");
  nn::Tensor grad;
  trainer.set_step([&](const nn::StepContext&) -> nn::Metrics {
    nn::Batch b = loader.next();
    if (!net.module().training()) net.module().train();
    const nn::Tensor y = net.module().forward(b.images).plain(nn::DType::f32);
    const nn::Dims& d = y.dims();
    if (!grad.defined() || grad.dims() != d) grad = nn::Tensor::empty(d);
    const auto [loss, psnr] = masked_l1(y.data<float>(), b.targets.data<float>(), d, known_weight, grad_weight, grad.data<float>());
    adam.zero_grad();
    net.module().backward(grad);
    if (clip > 0) nn::clip_grad_norm(params, clip);
    adam.step();
    return {{"loss", loss}, {"train_hole_psnr", psnr}};
  });
  trainer.set_eval([&](const nn::StepContext&) -> nn::Metrics {
    double sum = 0;
    for (const auto& item : val) {
      cv::Mat est8;
      net.run(item.original, item.mask).convertTo(est8, CV_8UC3, 255.0);
      cv::Mat result = item.original.clone();
      est8.copyTo(result, item.mask);
      sum += hole_psnr(result, item.original, item.mask);
    }
    net.module().train();
    const double n = static_cast<double>(std::max<std::size_t>(1, val.size()));
    return {{"val_hole_psnr", sum / n}, {"val_hole_psnr_telea", telea_psnr}};
  });

  if (!ctx.resume.empty()) CVPIPE_RETURN_IF_ERROR(trainer.resume(ctx.resume));
  const nn::TrainResult result = trainer.run();
  return nn::finish_training(
      result, p, ctx, [&](const fs::path& f, const nn::ModelInfo& info) { return net.save(f, info); }, output,
      [&](nn::TrainedModel& m) {
        m.info.extra["train_photos"] = nn::comma_list(train_files);
        return Status{};
      });
}

}  // namespace

Status run_train(const Params& params, const CommandContext& ctx, std::string& output) {
  return guard([&] { return train_impl(params, ctx, output); });
}

}  // namespace cvpipe::inpaint
