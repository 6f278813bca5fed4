// colorize.train: the colourisation network on opencv-doc photos and video frames; see commands.hpp.
#include <algorithm>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "chroma_loss.hpp"
#include "colorize_net.hpp"
#include "commands.hpp"
#include "cvpipe/data.hpp"
#include "cvpipe/nn/data_loader.hpp"
#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/optim.hpp"
#include "cvpipe/nn/schedule.hpp"
#include "cvpipe/nn/train_command.hpp"
#include "cvpipe/photos.hpp"
#include "lab.hpp"
#include "scoring.hpp"
#include "training_images.hpp"

namespace cvpipe::colorize {

namespace fs = std::filesystem;

// Training photos that are kept out of fitting to choose the decoding (temperature, saturation).
static const char* const k_tune_photos = "home.jpg,stuff.jpg,pca_test1.jpg,ela_original.jpg";

std::vector<ParamSpec> colorize_train_params() {
  return nn::trainer_params(
      {.steps = 4000, .lr = 2e-3, .min_lr = 5e-5, .warmup = 200, .log_every = 25, .checkpoint_every = 500},
      {
          ParamSpec::path("data", "", false, "folder of photos and videos (empty: the opencv-doc sample folder)"),
          ParamSpec::string("photos", "", "comma-separated training photos (empty: the SDK's train_color list minus tune_photos)"),
          ParamSpec::string("tune_photos", k_tune_photos, "training photos kept out of fitting; validation and decoding choice"),
          ParamSpec::string("videos", "vtest.avi,Megamind.avi,tree.avi", "comma-separated videos to sample frames from"),
          ParamSpec::integer("frames_per_video", 16, 0, 10000, "frames taken from each video, spread over it"),
          ParamSpec::number("photo_share", 0.5, 0.0, 1.0, "share of training crops taken from photos (the rest from video frames)"),
          ParamSpec::integer("net_side", 128, 32, 1024, "short side of the network input (images are resized to it)"),
          ParamSpec::integer("patch", 96, 16, 1024, "training crop side at network scale (a multiple of 2^levels)"),
          ParamSpec::string("scales", "1,1.25", "comma-separated scales of net_side each training image is prepared at (crops vary in scale)"),
          ParamSpec::integer("batch", 12, 1, 1024, "crops per step"),
          ParamSpec::integer("eval_every", 500, 1, 10000000, "steps between validations on tune_photos"),
          ParamSpec::integer("base_width", 16, 4, 256, "U-Net width of the first level"),
          ParamSpec::integer("max_width", 128, 4, 1024, "U-Net width cap"),
          ParamSpec::integer("levels", 4, 1, 6, "U-Net downsamplings"),
          ParamSpec::integer("output_level", 2, 0, 5, "the network outputs chroma at 1/2^output_level of its input"),
          ParamSpec::string("dilations", "2,4", "comma-separated dilations of extra bottleneck convs (empty: none)"),
          ParamSpec::number("grid", 10.0, 2.0, 64.0, "ab bin size in Lab units"),
          ParamSpec::number("min_bin_fraction", 2e-5, 0.0, 0.1, "a bin exists where at least this share of training pixels falls"),
          ParamSpec::boolean("rebalance", true, "weight pixels by the rarity of their colour (class rebalancing)"),
          ParamSpec::number("rebalance_lambda", 0.5, 0.0, 1.0, "mix of uniform into the bin prior before inverting"),
          ParamSpec::number("psnr_margin", 0.2, -10.0, 10.0, "decoding choice: required PSNR gain over gray pictures (dB)"),
          ParamSpec::number("target_colorfulness", 0.7, 0.0, 2.0, "decoding choice: colourfulness ratio that is enough"),
      });
}

namespace {

// One training image at network scale: L (normalised) and ab planes.
struct LabPlanes {
  cv::Mat l, ab;
};

LabPlanes lab_planes(const cv::Mat& bgr) {
  cv::Mat lab;
  const Status s = to_lab(bgr, lab);
  CV_Assert(s.ok());
  std::vector<cv::Mat> p;
  cv::split(lab, p);
  LabPlanes out;
  p[0].convertTo(out.l, CV_32F, 1.0 / 100.0, -0.5);  // normalize_l
  cv::merge(std::vector<cv::Mat>{p[1], p[2]}, out.ab);
  return out;
}

Status train_impl(const Params& p, const CommandContext& ctx, std::string& output) {
  const fs::path data = p.get_string("data").empty() ? data_dir() : fs::path(p.get_string("data"));
  const int net_side = static_cast<int>(p.get_int("net_side"));
  const int patch = static_cast<int>(p.get_int("patch"));
  nn::UNetOptions unet;
  unet.base_width = static_cast<int>(p.get_int("base_width"));
  unet.max_width = static_cast<int>(p.get_int("max_width"));
  unet.levels = static_cast<int>(p.get_int("levels"));
  unet.output_level = static_cast<int>(p.get_int("output_level"));
  for (const auto& d : split_list(p.get_string("dilations"))) {
    try {
      unet.bottleneck_dilations.push_back(std::stoi(d));
    } catch (const std::exception&) {
      return Status::invalid("parameter 'dilations': '" + d + "' is not an integer");
    }
  }
  if (unet.output_level >= unet.levels) return Status::invalid("parameter 'output_level' must be below 'levels'");
  const int multiple = 1 << unet.levels;
  if (patch % multiple) return Status::invalid("parameter 'patch' must be a multiple of 2^levels = " + std::to_string(multiple));
  if (patch > net_side) return Status::invalid("parameter 'patch' must not exceed 'net_side'");
  std::vector<double> scales;
  for (const auto& v : split_list(p.get_string("scales"))) {
    double s = 0;
    try {
      s = std::stod(v);
    } catch (const std::exception&) {
      return Status::invalid("parameter 'scales': '" + v + "' is not a number");
    }
    if (!(s * net_side >= patch)) return Status::invalid("parameter 'scales': " + v + " x net_side is smaller than 'patch'");
    if (s > 8) return Status::invalid("parameter 'scales': " + v + " is above 8");
    scales.push_back(s);
  }
  if (scales.empty()) return Status::invalid("parameter 'scales' is empty");
  const auto steps = p.get_int("steps"), batch = p.get_int("batch");
  const auto seed = static_cast<std::uint64_t>(p.get_int("seed"));

  // Photos: the SDK's training photos minus the tuning ones, plus video frames.
  TrainingSet set;
  CVPIPE_RETURN_IF_ERROR(load_training_set(data, p, "tune_photos", set));
  const std::vector<cv::Mat>& images = set.images;
  const std::vector<std::string>& names = set.names;
  const std::vector<std::string>& tune_names = set.kept_out_names;
  const std::vector<cv::Mat>& tune_images = set.kept_out;

  // Each image at every scale of net_side in `scales` (scale variety), as L / ab planes.
  // Photos and video frames are drawn in the ratio photo_share (there are many more frames than photos).
  std::vector<LabPlanes> photo_planes, frame_planes;
  std::vector<cv::Mat> ab_all;
  for (std::size_t i = 0; i < images.size(); ++i) {
    auto& dst = i < set.photos ? photo_planes : frame_planes;
    for (double s : scales) dst.push_back(lab_planes(resize_short_side(images[i], static_cast<int>(std::lround(net_side * s)))));
    ab_all.push_back(lab_planes(resize_short_side(images[i], net_side)).ab);  // bin statistics at network scale
  }
  const ChromaBins bins = ChromaBins::from_data(ab_all, static_cast<float>(p.get_number("grid")),
                                                p.get_number("min_bin_fraction"), p.get_number("rebalance_lambda"));

  ColorizeNet net(unet, bins, net_side, Decoding{});
  nn::Rng init_rng(nn::derive_seed(seed, 0xC010));
  nn::init_network(net.module(), nn::InitScheme::kaiming, init_rng);

  const int out_scale = net.output_scale();
  auto dataset = std::make_shared<nn::FunctionDataset>(
      static_cast<std::size_t>(std::max<std::int64_t>(1, p.get_int("eval_every")) * batch),
      [&photo_planes, &frame_planes, patch, out_scale, share = p.get_number("photo_share")](std::size_t, nn::Rng& rng) {
        const auto& set = frame_planes.empty() || (!photo_planes.empty() && nn::bernoulli(rng, share)) ? photo_planes : frame_planes;
        const LabPlanes& src = set[static_cast<std::size_t>(nn::uniform_int(rng, 0, static_cast<std::int64_t>(set.size()) - 1))];
        const int x = static_cast<int>(nn::uniform_int(rng, 0, src.l.cols - patch));
        const int y = static_cast<int>(nn::uniform_int(rng, 0, src.l.rows - patch));
        const cv::Rect r(x, y, patch, patch);
        nn::Sample s;
        s.image = src.l(r).clone();
        cv::resize(src.ab(r), s.target, cv::Size(patch / out_scale, patch / out_scale), 0, 0, cv::INTER_AREA);
        if (nn::bernoulli(rng, 0.5)) {
          cv::flip(s.image, s.image, 1);
          cv::flip(s.target, s.target, 1);
        }
        return s;
      });
  nn::LoaderOptions lo;
  lo.batch_size = static_cast<std::size_t>(batch);
  lo.shuffle = false;  // every sample is random already
  lo.seed = seed;
  lo.prefetch = 2;
  nn::DataLoader loader(dataset, lo);

  auto params = net.module().parameters();
  nn::AdamOptions ao;
  ao.lr = p.get_number("lr");
  nn::Adam adam(params, ao);
  const auto warmup = std::min<std::int64_t>(p.get_int("warmup"), steps - 1);
  auto schedule = nn::warmup_lr(nn::cosine_lr(ao.lr, steps - warmup, p.get_number("min_lr")), warmup, 0.01);

  nn::TrainerOptions to = nn::trainer_options(p, ctx);
  to.steps_per_epoch = p.get_int("eval_every");
  to.eval_every = p.get_int("eval_every");
  to.name = "colorize";
  nn::Trainer trainer(to);
  trainer.add_module("net", net.module());
  trainer.add_optimizer("adam", adam, schedule);
  trainer.add_loader("train", loader);
  trainer.set_metadata("architecture", net.architecture_json());

  const bool rebalance = p.get_bool("rebalance");
  nn::Tensor grad;
  trainer.set_step([&](const nn::StepContext&) -> nn::Metrics {
    nn::Batch b = loader.next();
    net.module().train();
    const nn::Tensor logits = net.module().forward(b.images);
    ChromaLoss l = chroma_loss(logits, b.targets, bins, rebalance, grad);
    grad = l.grad;
    adam.zero_grad();
    net.module().backward(l.grad);
    adam.step();
    return {{"loss", l.loss}, {"ce", l.plain_ce}};
  });
  auto validate = [&](Decoding d) {
    std::vector<Prepared> prepared;
    for (const auto& img : tune_images) prepared.push_back(prepare(net, img, true));
    net.module().train();
    return std::pair{score(net, prepared, d), prepared};
  };
  trainer.set_eval([&](const nn::StepContext&) -> nn::Metrics {
    const Scores s = validate(Decoding{}).first;
    return {{"val_psnr", s.psnr}, {"val_psnr_gray", s.psnr_gray}, {"val_colorfulness_ratio", s.colorfulness_ratio()}};
  });

  if (!ctx.resume.empty()) CVPIPE_RETURN_IF_ERROR(trainer.resume(ctx.resume));
  const nn::TrainResult result = trainer.run();
  // Choose the decoding on the tuning photos, then write the model with it.
  auto tune_and_record = [&](nn::TrainedModel& m) -> Status {
    const auto [scores_default, prepared] = validate(Decoding{});
    TuneOptions tune;
    tune.psnr_margin = p.get_number("psnr_margin");
    tune.target_colorfulness = p.get_number("target_colorfulness");
    nlohmann::json table;
    const Decoding chosen = tune_decoding(net, prepared, tune, table);
    net.set_decoding(chosen);
    const Scores tuned = score(net, prepared, chosen);
    std::error_code ec;
    fs::create_directories(ctx.out_dir, ec);
    {
      std::ofstream f(ctx.out_dir / "tuning.json");
      f << nlohmann::json{{"chosen", {{"temperature", chosen.temperature}, {"saturation", chosen.saturation},
                                     {"prior_correction", chosen.prior_correction}, {"cast_removal", chosen.cast_removal},
                                     {"confidence", chosen.confidence}, {"flip_average", chosen.flip_average}}},
                          {"tune_photos", tune_names}, {"candidates", table}}
               .dump(1)
        << "\n";
    }
    m.info.extra["train_images"] = nn::comma_list(names);
    m.info.extra["tune_psnr"] = std::to_string(tuned.psnr);
    m.info.extra["tune_psnr_gray"] = std::to_string(tuned.psnr_gray);
    m.info.extra["tune_colorfulness_ratio"] = std::to_string(tuned.colorfulness_ratio());
    m.summary = {{"bins", static_cast<double>(bins.size())},
                 {"temperature", chosen.temperature},
                 {"saturation", chosen.saturation},
                 {"prior_correction", chosen.prior_correction},
                 {"cast_removal", chosen.cast_removal},
                 {"confidence", chosen.confidence},
                 {"flip_average", chosen.flip_average ? 1.0 : 0.0},
                 {"tune_psnr", tuned.psnr},
                 {"tune_psnr_gray", tuned.psnr_gray},
                 {"tune_colorfulness_ratio", tuned.colorfulness_ratio()}};
    return {};
  };
  return nn::finish_training(
      result, p, ctx, [&](const fs::path& f, const nn::ModelInfo& info) { return net.save(f, info); }, output,
      tune_and_record);
}

}  // namespace

Status run_colorize_train(const Params& params, const CommandContext& ctx, std::string& output) {
  return guard([&] { return train_impl(params, ctx, output); });
}

}  // namespace cvpipe::colorize
