// Training the sharpening network; see train_command.hpp.
#include "train_command.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/data.hpp"
#include "cvpipe/nn/data_loader.hpp"
#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/loss.hpp"
#include "cvpipe/nn/optim.hpp"
#include "cvpipe/nn/schedule.hpp"
#include "cvpipe/nn/train_command.hpp"
#include "cvpipe/photos.hpp"
#include "sharpen_net.hpp"

namespace sharpen {

namespace fs = std::filesystem;
namespace nn = cvpipe::nn;
using cvpipe::ParamSpec;
using cvpipe::Status;

std::vector<ParamSpec> train_params() {
  return nn::trainer_params(
      {.steps = 400, .lr = 2e-3, .min_lr = 1e-5, .warmup = 30, .log_every = 20, .seeds = "initialisation, crops, blur and noise"},
      {
          ParamSpec::integer("features", NetConfig{}.features, 1, 256, "width of the hidden conv layers"),
          ParamSpec::integer("depth", NetConfig{}.depth, 2, 32, "number of 3x3 conv layers (the receptive-field radius)"),
          ParamSpec::integer("patch", 48, 8, 512, "side of the training crops in pixels"),
          ParamSpec::integer("batch", 16, 1, 1024, "crops per step"),
          ParamSpec::integer("epoch_steps", 100, 1, 10000000, "steps between validations"),
          ParamSpec::number("blur_min", 0.8, 0.1, 10.0, "smallest Gaussian blur sigma of the training crops (pixels)"),
          ParamSpec::number("blur_max", 2.0, 0.1, 10.0, "largest Gaussian blur sigma of the training crops (pixels)"),
          ParamSpec::number("noise", 1.0, 0.0, 50.0, "Gaussian noise added after the blur (8-bit levels)"),
          ParamSpec::number("val_blur", 1.5, 0.1, 10.0, "Gaussian blur sigma of the validation crops (pixels)"),
          ParamSpec::integer("val_crop", 256, 16, 4096, "side of the validation centre crops"),
          ParamSpec::path("data", "", false, "folder of the photographs (empty: $CVPIPE_DATA or the opencv-doc samples)"),
          ParamSpec::string("photos", "", "comma-separated training files (empty: cvpipe's training photos)"),
          ParamSpec::string("val_photos", "", "comma-separated validation files (empty: cvpipe's held-out photos)"),
      });
}

namespace {

// A photo as CV_32FC1 in [0, 1].
std::vector<cv::Mat> to_float(const std::vector<cv::Mat>& photos) {
  std::vector<cv::Mat> out(photos.size());
  for (std::size_t i = 0; i < photos.size(); ++i) photos[i].convertTo(out[i], CV_32F, 1.0 / 255.0);
  return out;
}

// `clean` blurred with `sigma` (reflect-101 borders) plus Gaussian noise of `noise` (in [0, 1] units).
cv::Mat degrade(const cv::Mat& clean, double sigma, double noise, std::uint64_t seed) {
  cv::Mat blurred, grain(clean.size(), CV_32FC1);
  cv::GaussianBlur(clean, blurred, cv::Size(), sigma, sigma, cv::BORDER_REFLECT_101);
  cv::RNG(seed).fill(grain, cv::RNG::NORMAL, 0.0, noise);
  return blurred + grain;
}

double psnr(const cv::Mat& image, const cv::Mat& reference) {
  cv::Mat clipped = cv::min(cv::max(image, 0.0), 1.0);
  return cv::PSNR(clipped, reference, 1.0);
}

struct ValidationItem {
  cv::Mat degraded, clean;
};

Status train_impl(const cvpipe::Params& p, const cvpipe::CommandContext& ctx, std::string& output) {
  const NetConfig config{static_cast<int>(p.get_int("features")), static_cast<int>(p.get_int("depth"))};
  const int patch = static_cast<int>(p.get_int("patch"));
  const auto batch = p.get_int("batch");
  const auto epoch_steps = p.get_int("epoch_steps");
  const double blur_min = p.get_number("blur_min"), blur_max = p.get_number("blur_max");
  if (blur_max < blur_min) return Status::invalid("parameter 'blur_max' must be >= 'blur_min'");
  const double noise = p.get_number("noise") / 255.0;
  const auto seed = static_cast<std::uint64_t>(p.get_int("seed"));

  // Photos: the project's fixed split, so no held-out photo is ever trained on.
  const fs::path data = p.get_string("data").empty() ? cvpipe::data_dir() : fs::path(p.get_string("data"));
  std::vector<std::string> train_files = cvpipe::split_list(p.get_string("photos"));
  if (train_files.empty()) train_files = cvpipe::training_photos(1);
  std::vector<std::string> val_files = cvpipe::split_list(p.get_string("val_photos"));
  if (val_files.empty()) val_files = cvpipe::photo_lists().held_out;
  std::vector<cv::Mat> train_8u, val_8u;
  CVPIPE_RETURN_IF_ERROR(cvpipe::load_photos(data, train_files, 1, train_8u));
  CVPIPE_RETURN_IF_ERROR(cvpipe::load_photos(data, val_files, 1, val_8u));
  const std::vector<cv::Mat> photos = to_float(train_8u);

  // A training crop: the network's input (patch + 2 * radius, padded context included) is cut from
  // a larger blurred crop, so the blur sees real pixels on every side; the target is the residual.
  const int radius = config.depth;
  const int margin = static_cast<int>(std::ceil(3.0 * blur_max)) + 1;
  const int crop = patch + 2 * (radius + margin);
  for (std::size_t i = 0; i < photos.size(); ++i) {
    if (photos[i].rows < crop || photos[i].cols < crop) {
      return Status::invalid("photo '" + train_files[i] + "' is smaller than a training crop (" + std::to_string(crop) +
                             " pixels: patch + 2 x (depth + 3 x blur_max + 1))");
    }
  }
  auto make_sample = [&photos, patch, radius, margin, crop, blur_min, blur_max, noise](std::size_t, nn::Rng& rng) {
    const cv::Mat& photo = photos[nn::uniform_int(rng, 0, static_cast<std::int64_t>(photos.size()) - 1)];
    const int x = static_cast<int>(nn::uniform_int(rng, 0, photo.cols - crop));
    const int y = static_cast<int>(nn::uniform_int(rng, 0, photo.rows - crop));
    const cv::Mat clean = photo(cv::Rect(x, y, crop, crop));
    const cv::Mat degraded = degrade(clean, nn::uniform(rng, blur_min, blur_max), noise, rng());
    nn::Sample s;
    s.image = degraded(cv::Rect(margin, margin, patch + 2 * radius, patch + 2 * radius)).clone();
    const cv::Rect centre(margin + radius, margin + radius, patch, patch);
    s.target = clean(centre) - degraded(centre);
    return s;
  };
  auto dataset = std::make_shared<nn::FunctionDataset>(static_cast<std::size_t>(epoch_steps * batch), make_sample);
  nn::DataLoader loader(dataset, {.batch_size = static_cast<std::size_t>(batch), .shuffle = false, .seed = seed});

  const double val_blur = p.get_number("val_blur");
  const int val_crop = static_cast<int>(p.get_int("val_crop"));
  std::vector<ValidationItem> validation;
  double psnr_blurred = 0.0;
  for (const cv::Mat& photo : to_float(val_8u)) {
    const int w = std::min(val_crop, photo.cols), h = std::min(val_crop, photo.rows);
    const cv::Mat clean = photo(cv::Rect((photo.cols - w) / 2, (photo.rows - h) / 2, w, h)).clone();
    validation.push_back({degrade(clean, val_blur, noise, nn::derive_seed(seed, 0x7a1, validation.size())), clean});
    psnr_blurred += psnr(validation.back().degraded, clean) / static_cast<double>(val_8u.size());
  }

  SharpenNet net(config);
  nn::Rng init_rng(nn::derive_seed(seed, 0x1417));
  nn::init_network(net.module(), nn::InitScheme::kaiming, init_rng);
  // Start near the identity (residual ~ 0): scale the last layer down.
  auto named = net.module().named_parameters();
  nn::Parameter* last = named.at(named.size() - 2).param;  // the last conv's weight (its bias follows)
  float* w = last->value.data<float>();
  for (std::int64_t i = 0; i < last->numel(); ++i) w[i] *= 0.1f;
  last->mark_updated();

  const auto steps = p.get_int("steps");
  const double lr = p.get_number("lr");
  nn::Adam adam(net.module().parameters(), {.lr = lr});
  nn::TrainerOptions options = nn::trainer_options(p, ctx);  // steps, seed, logging, time limit, out, stop
  options.steps_per_epoch = epoch_steps;
  options.eval_every = epoch_steps;
  options.name = "sharpen";
  nn::Trainer trainer(options);
  trainer.add_module("net", net.module());
  trainer.add_optimizer("adam", adam,
                        nn::timed_cosine_lr(lr, p.get_number("min_lr"), std::min(p.get_int("warmup"), steps - 1), steps,
                                            options.time_limit_s));
  trainer.add_loader("train", loader);
  trainer.set_metadata("architecture", net.architecture_json());

  nn::Tensor grad;
  trainer.set_step([&](const nn::StepContext&) -> nn::Metrics {
    const nn::Batch b = loader.next();
    const nn::Tensor residual = net.module().forward(b.images);
    nn::LossResult loss = nn::mse_loss(residual, b.targets, grad);
    grad = loss.grad;
    adam.zero_grad();
    net.module().backward(loss.grad);
    adam.step();
    // mse(residual, target) == mse(input + residual, clean): the PSNR of the sharpened crop.
    return {{"loss", loss.loss}, {"train_psnr", 10.0 * std::log10(1.0 / std::max(loss.loss, 1e-12))}};
  });
  trainer.set_eval([&](const nn::StepContext&) -> nn::Metrics {
    double sharpened = 0.0;
    for (const auto& item : validation) {
      const cv::Mat residual = net.residuals({item.degraded})[0];
      sharpened += psnr(item.degraded + residual, item.clean) / static_cast<double>(validation.size());
    }
    net.module().train();
    return {{"val_psnr", sharpened}, {"val_psnr_blurred", psnr_blurred}};
  });

  if (!ctx.resume.empty()) CVPIPE_RETURN_IF_ERROR(trainer.resume(ctx.resume));
  return nn::finish_training(
      trainer.run(), p, ctx, [&](const fs::path& file, const nn::ModelInfo& info) { return net.save(file, info); },
      output, [&](nn::TrainedModel& m) {
        m.info.extra["train_photos"] = nn::comma_list(train_files);
        return Status{};
      });
}

}  // namespace

Status run_train(const cvpipe::Params& params, const cvpipe::CommandContext& ctx, std::string& output) {
  return cvpipe::guard([&] { return train_impl(params, ctx, output); });
}

}  // namespace sharpen
