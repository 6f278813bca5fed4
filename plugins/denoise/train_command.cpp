// Training the denoiser; see train_command.hpp.
#include "train_command.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include <opencv2/core.hpp>

#include "cvpipe/data.hpp"
#include "cvpipe/nn/context.hpp"
#include "cvpipe/nn/checkpoint.hpp"
#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/loss.hpp"
#include "cvpipe/nn/optim.hpp"
#include "cvpipe/nn/schedule.hpp"
#include "cvpipe/nn/train_command.hpp"
#include "metrics.hpp"
#include "network.hpp"
#include "patch_dataset.hpp"
#include "cvpipe/photos.hpp"
#include "cvpipe/nn/schedule.hpp"

namespace cvpipe::denoise {

namespace fs = std::filesystem;

std::vector<ParamSpec> train_params() {
  return nn::trainer_params(
      {.steps = 20000, .lr = 1e-3, .min_lr = 1e-5, .warmup = 300, .log_every = 50, .checkpoint_zero = "every epoch", .seeds = "initialisation, patches and noise"},
      {
          ParamSpec::integer("channels", 1, 1, 3, "image channels of the model: 1 (gray) or 3 (BGR colour)"),
          ParamSpec::integer("features", 64, 4, 512, "width of the hidden conv layers"),
          ParamSpec::integer("depth", 12, 2, 64, "number of conv layers"),
          ParamSpec::integer("patch", 64, 8, 512, "training patch side in pixels (even)"),
          ParamSpec::integer("batch", 32, 1, 1024, "patches per step"),
          ParamSpec::integer("epoch_steps", 1000, 1, 10000000, "steps per epoch (validation and checkpoint after each)"),
          ParamSpec::number("grad_clip", 0.0, 0.0, 1e6, "clip the global gradient norm to this (0: off)"),
          ParamSpec::number("sigma_min", 0.0, 0.0, 100.0, "smallest training noise level (8-bit levels)"),
          ParamSpec::number("sigma_max", 55.0, 0.0, 100.0, "largest training noise level (8-bit levels)"),
          ParamSpec::choice("dtype", "auto", {"auto", "f32", "bf16"}, "compute precision (auto: bf16 on CPUs with native bf16)"),
          ParamSpec::path("data", "", false, "folder of the photographs (empty: the opencv-doc sample folder)"),
          ParamSpec::string("photos", "", "comma-separated training files (empty: the built-in list, see README)"),
          ParamSpec::string("val_photos", "", "comma-separated validation files (empty: the held-out photos)"),
          ParamSpec::integer("val_crop", 256, 16, 4096, "side of the centre crops used for validation"),
          ParamSpec::model("init", "",
                          "start from this model's weights (fine-tuning; same channels, features and depth) instead of "
                          "a random initialisation; the optimizer and schedule start afresh"),
      });
}

namespace {

// Copies the weights of the model file `path` into `net`, whose architecture must match.
Status init_from_model(const fs::path& file, DenoiseNet& net) {  // found by the host
  std::unique_ptr<DenoiseNet> from;
  CVPIPE_RETURN_IF_ERROR(DenoiseNet::load(file, from));
  const NetConfig &a = from->config(), &b = net.config();
  if (a.channels != b.channels || a.features != b.features || a.depth != b.depth) {
    return Status::invalid("init: '" + file.string() + "' has channels " + std::to_string(a.channels) + ", features " +
                           std::to_string(a.features) + ", depth " + std::to_string(a.depth) + "; the recipe asks for " +
                           std::to_string(b.channels) + ", " + std::to_string(b.features) + ", " + std::to_string(b.depth));
  }
  auto src = from->module().named_parameters();
  auto dst = net.module().named_parameters();
  for (std::size_t i = 0; i < dst.size(); ++i) {
    src[i].param->value.copy_to(dst[i].param->value);
    dst[i].param->mark_updated();
  }
  return {};
}

Status train_impl(const Params& p, const CommandContext& ctx, std::string& output) {
  const int channels = static_cast<int>(p.get_int("channels"));
  if (channels != 1 && channels != 3) return Status::invalid("parameter 'channels' must be 1 or 3");
  const int patch = static_cast<int>(p.get_int("patch"));
  if (patch % 2) return Status::invalid("parameter 'patch' must be even");
  const double sigma_min = p.get_number("sigma_min"), sigma_max = p.get_number("sigma_max");
  if (sigma_max < sigma_min) return Status::invalid("parameter 'sigma_max' must be >= 'sigma_min'");
  const auto steps = p.get_int("steps");
  const auto epoch_steps = p.get_int("epoch_steps");
  const auto batch = p.get_int("batch");
  const auto seed = static_cast<std::uint64_t>(p.get_int("seed"));

  const fs::path data = p.get_string("data").empty() ? data_dir() : fs::path(p.get_string("data"));
  const fs::path& out_dir = ctx.out_dir;  // and the model file: resolved by the host (CommandContext)
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return Status::io("cannot create output folder '" + out_dir.string() + "': " + ec.message());

  std::vector<std::string> train_files = split_list(p.get_string("photos"));
  if (train_files.empty()) train_files = training_photos(channels);
  std::vector<std::string> val_files = split_list(p.get_string("val_photos"));
  if (val_files.empty()) val_files = photo_lists().held_out;
  std::vector<cv::Mat> photos, val_photos;
  CVPIPE_RETURN_IF_ERROR(load_photos(data, train_files, channels, photos));
  CVPIPE_RETURN_IF_ERROR(load_photos(data, val_files, channels, val_photos));
  for (std::size_t i = 0; i < photos.size(); ++i) {
    if (photos[i].rows < patch || photos[i].cols < patch) {
      return Status::invalid("photo '" + train_files[i] + "' is smaller than the patch (" + std::to_string(patch) + ")");
    }
  }

  NetConfig config;
  config.channels = channels;
  config.features = static_cast<int>(p.get_int("features"));
  config.depth = static_cast<int>(p.get_int("depth"));
  config.sigma_max = sigma_max;
  DenoiseNet net(config);
  if (const std::string init = p.get_string("init"); !init.empty()) {
    CVPIPE_RETURN_IF_ERROR(init_from_model(init, net));
  } else {
    nn::Rng init_rng(nn::derive_seed(seed, 0x1417));
    nn::init_network(net.module(), nn::InitScheme::kaiming, init_rng);
    // Start close to the identity (predicted noise ~ 0): scale the last layer down.
    auto named = net.module().named_parameters();
    nn::Parameter* last = named.at(named.size() - 2).param;  // the last conv's weight (bias follows)
    float* w = last->value.data<float>();
    for (std::int64_t i = 0; i < last->numel(); ++i) w[i] *= 0.1f;
    last->mark_updated();
  }
  const std::string dtype_name = p.get_string("dtype");
  const bool bf16 = dtype_name == "bf16" || (dtype_name == "auto" && nn::bf16_supported());
  if (dtype_name == "bf16" && !nn::bf16_supported()) return Status::unsupported("dtype bf16: this CPU has no bf16 support");
  net.set_dtype(bf16 ? nn::DType::bf16 : nn::DType::f32);

  PatchOptions po;
  po.patch = patch;
  po.sigma_min = sigma_min;
  po.sigma_max = sigma_max;
  auto dataset = make_patch_dataset(photos, static_cast<std::size_t>(epoch_steps * batch), po);
  nn::LoaderOptions lo;
  lo.batch_size = static_cast<std::size_t>(batch);
  lo.shuffle = false;  // every sample is random already
  lo.seed = seed;
  lo.prefetch = 3;
  nn::DataLoader loader(dataset, lo);

  const std::vector<double> val_sigmas{10.0, 25.0, 50.0};
  const auto val = make_validation_set(val_photos, static_cast<int>(p.get_int("val_crop")), val_sigmas, seed + 1);

  auto params = net.module().parameters();
  nn::AdamOptions ao;
  ao.lr = p.get_number("lr");
  nn::Adam adam(params, ao);
  const double time_limit_s = p.get_number("time_limit") * 60.0;
  auto schedule = nn::timed_cosine_lr(ao.lr, p.get_number("min_lr"),
                                      std::min<std::int64_t>(p.get_int("warmup"), steps - 1), steps, time_limit_s);

  nn::TrainerOptions to = nn::trainer_options(p, ctx);
  to.steps_per_epoch = epoch_steps;
  to.eval_every = epoch_steps;
  if (to.checkpoint_every == 0) to.checkpoint_every = epoch_steps;
  to.name = channels == 1 ? "denoise gray" : "denoise color";
  nn::Trainer trainer(to);
  trainer.add_module("net", net.module());
  trainer.add_optimizer("adam", adam, schedule);
  trainer.add_loader("train", loader);
  trainer.set_metadata("architecture", net.architecture_json());

  const double clip = p.get_number("grad_clip");
  nn::Tensor grad_buffer;
  trainer.set_step([&](const nn::StepContext&) -> nn::Metrics {
    nn::Batch b = loader.next();
    const nn::Tensor y = net.module().forward(b.images);
    nn::LossResult loss = nn::mse_loss(y, b.targets, grad_buffer);
    grad_buffer = loss.grad;
    adam.zero_grad();
    net.module().backward(loss.grad);
    if (clip > 0) nn::clip_grad_norm(params, clip);
    adam.step();
    // PSNR of the denoised patch against the clean one, in [0, 1] units.
    return {{"loss", loss.loss}, {"train_psnr", 10.0 * std::log10(1.0 / std::max(loss.loss, 1e-12))}};
  });
  trainer.set_eval([&](const nn::StepContext&) -> nn::Metrics {
    std::map<double, std::pair<double, int>> acc;
    for (const auto& item : val) {
      cv::Mat f, out8;
      item.noisy.convertTo(f, CV_MAKETYPE(CV_32F, item.noisy.channels()), 1.0 / 255.0);
      net.run(f, item.sigma).convertTo(out8, item.clean.type(), 255.0);
      auto& a = acc[item.sigma];
      a.first += psnr(out8, item.clean);
      a.second += 1;
    }
    net.module().train();
    nn::Metrics m;
    for (const auto& [s, a] : acc) m.push_back({"val_psnr_s" + std::to_string(static_cast<int>(s)), a.first / a.second});
    return m;
  });

  if (!ctx.resume.empty()) CVPIPE_RETURN_IF_ERROR(trainer.resume(ctx.resume));
  const nn::TrainResult result = trainer.run();
  return nn::finish_training(
      result, p, ctx, [&](const fs::path& f, const nn::ModelInfo& info) { return net.save(f, info); }, output,
      [&](nn::TrainedModel& m) {
        m.info.extra["train_dtype"] = bf16 ? "bf16" : "f32";
        m.info.extra["train_photos"] = nn::comma_list(train_files);
        return Status{};
      });
}

}  // namespace

Status run_train(const Params& params, const CommandContext& ctx, std::string& output) {
  return guard([&] { return train_impl(params, ctx, output); });
}

}  // namespace cvpipe::denoise
