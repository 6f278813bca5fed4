// Command `train`: see commands.hpp.
#include <algorithm>
#include <chrono>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "average_precision.hpp"
#include "centernet.hpp"
#include "coco.hpp"
#include "commands.hpp"
#include "cvpipe/image_file.hpp"
#include "cvpipe/nn/data_loader.hpp"
#include "cvpipe/nn/optim.hpp"
#include "cvpipe/nn/schedule.hpp"
#include "cvpipe/nn/train_command.hpp"
#include "digit_scenes.hpp"

namespace cvpipe::detect {

namespace fs = std::filesystem;

namespace {

// One training scene: an 8-bit BGR image and its boxes in its pixels.
struct Scene {
  cv::Mat image;
  std::vector<TargetBox> boxes;
};

// Where training scenes come from: composed digit scenes (scene i of a seed, on the fly) or the
// images of a COCO folder (read on demand).
class SceneSource {
 public:
  virtual ~SceneSource() = default;
  virtual std::size_t size() const = 0;
  virtual Scene get(std::size_t i) const = 0;
  virtual std::vector<std::string> class_names() const = 0;
};

class DigitSceneSource final : public SceneSource {
 public:
  DigitSceneSource(SceneSources s, std::uint64_t seed, std::size_t count) : s_(std::move(s)), seed_(seed), count_(count) {}
  std::size_t size() const override { return count_; }
  Scene get(std::size_t i) const override {
    Scene sc;
    std::vector<SceneBox> boxes;
    compose_scene(s_, seed_, static_cast<int64_t>(i), sc.image, boxes);
    for (const auto& b : boxes) sc.boxes.push_back({b.box, b.digit});
    return sc;
  }
  std::vector<std::string> class_names() const override {
    std::vector<std::string> n;
    for (int d = 0; d < 10; ++d) n.push_back(std::to_string(d));
    return n;
  }

 private:
  SceneSources s_;
  std::uint64_t seed_;
  std::size_t count_;
};

class CocoSource final : public SceneSource {
 public:
  explicit CocoSource(CocoDataset d) : d_(std::move(d)), by_image_(d_.annotations_by_image()) {}
  std::size_t size() const override { return d_.images.size(); }
  Scene get(std::size_t i) const override {
    Scene sc;
    const Status st = read_image(d_.image_path(d_.images[i]), cv::IMREAD_COLOR, sc.image);
    if (!st.ok()) throw nn::Error(st.message());
    for (const auto* a : by_image_[i])
      if (!a->iscrowd) sc.boxes.push_back({a->bbox, d_.class_index(a->category_id)});
    return sc;
  }
  std::vector<std::string> class_names() const override {
    std::vector<std::string> n;
    for (const auto& c : d_.categories) n.push_back(c.name);
    return n;
  }

 private:
  CocoDataset d_;
  std::vector<std::vector<const CocoAnnotation*>> by_image_;
};

// A random crop x scale-jittered training sample: image (CV_32FC3, BGR / 255) and the targets.
nn::Sample crop_sample(const Scene& sc, cv::Size crop, double jitter, double gray, int classes, nn::Rng& rng) {
  const double s = 1.0 + jitter * (2.0 * nn::uniform01(rng) - 1.0);
  cv::Mat scaled;
  cv::resize(sc.image, scaled, cv::Size(), s, s, s < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  const int x0 = scaled.cols > crop.width ? static_cast<int>(nn::uniform_int(rng, 0, scaled.cols - crop.width)) : 0;
  const int y0 = scaled.rows > crop.height ? static_cast<int>(nn::uniform_int(rng, 0, scaled.rows - crop.height)) : 0;
  const cv::Rect window(x0, y0, std::min(crop.width, scaled.cols), std::min(crop.height, scaled.rows));
  cv::Mat canvas(crop, CV_8UC3, cv::Scalar::all(114));
  scaled(window).copyTo(canvas(cv::Rect(0, 0, window.width, window.height)));
  std::vector<TargetBox> boxes;
  const cv::Rect2f view(0, 0, static_cast<float>(window.width), static_cast<float>(window.height));
  for (const auto& b : sc.boxes) {
    const cv::Rect2f moved(b.box.x * static_cast<float>(s) - x0, b.box.y * static_cast<float>(s) - y0,
                           b.box.width * static_cast<float>(s), b.box.height * static_cast<float>(s));
    const cv::Rect2f inside = moved & view;
    if (inside.area() >= 0.5f * moved.area() && inside.width >= 2 && inside.height >= 2) boxes.push_back({inside, b.class_id});
  }
  if (nn::uniform01(rng) < gray) {  // gray pictures reach the stage as BGR with equal channels
    cv::Mat g;
    cv::cvtColor(canvas, g, cv::COLOR_BGR2GRAY);
    cv::cvtColor(g, canvas, cv::COLOR_GRAY2BGR);
  }
  nn::Sample out;
  canvas.convertTo(out.image, CV_32FC3, 1.0 / 255.0);
  out.target = encode_targets(boxes, classes, cv::Size(crop.width / kOutputStride, crop.height / kOutputStride));
  return out;
}

// map50 of `net` over whole scenes at their own size (the stage's path, before NMS: peaks only).
double validation_map50(CenterNet& net, const std::vector<Scene>& scenes) {
  std::vector<ImageResult> results;
  for (const auto& sc : scenes) {
    ImageResult r;
    for (const auto& b : sc.boxes) r.truth.push_back({b.box, b.class_id, false});
    for (const auto& d : net.detect(sc.image, {}, 0.05f, 100)) r.predictions.push_back({d.box, d.class_id, d.score});
    results.push_back(std::move(r));
  }
  return evaluate_detections(results, net.classes()).map50;
}

Status train_impl(const Params& p, const CommandContext& ctx, std::string& output) {
  const auto seed = static_cast<std::uint64_t>(p.get_int("seed"));
  const cv::Size crop(static_cast<int>(p.get_int("crop_width")), static_cast<int>(p.get_int("crop_height")));
  const auto steps = p.get_int("steps");
  const auto batch = static_cast<std::size_t>(p.get_int("batch"));
  std::error_code ec;
  fs::create_directories(ctx.out_dir, ec);
  if (ec) return Status::io("cannot create output folder '" + ctx.out_dir.string() + "': " + ec.message());

  // Data: composed digit scenes (train split; validation scenes from another seed), or a COCO folder.
  std::shared_ptr<SceneSource> train, val;
  const std::string coco = p.get_string("coco");
  if (coco.empty()) {
    SceneSources sources;
    CVPIPE_RETURN_IF_ERROR(load_scene_sources(p.get_string("data"), false, sources));
    train = std::make_shared<DigitSceneSource>(sources, seed, static_cast<std::size_t>(p.get_int("scenes")));
    val = std::make_shared<DigitSceneSource>(sources, seed + 0x5eed, static_cast<std::size_t>(p.get_int("val_scenes")));
  } else {
    CocoDataset data;
    CVPIPE_RETURN_IF_ERROR(read_coco(coco, data));
    if (data.images.empty()) return Status::invalid(coco + ": the dataset has no images");
    if (const std::string v = p.get_string("val_coco"); !v.empty()) {
      CocoDataset vd;
      CVPIPE_RETURN_IF_ERROR(read_coco(v, vd));
      val = std::make_shared<CocoSource>(std::move(vd));
    }
    train = std::make_shared<CocoSource>(std::move(data));
  }
  const std::vector<std::string> names = train->class_names();
  if (val && val->class_names() != names) return Status::invalid("val_coco: its categories differ from the training data's");
  std::vector<Scene> val_scenes;
  if (val)
    for (std::size_t i = 0; i < std::min<std::size_t>(val->size(), static_cast<std::size_t>(p.get_int("val_scenes"))); ++i)
      val_scenes.push_back(val->get(i));

  CenterNetConfig config;
  config.class_names = names;
  config.stem_width = static_cast<int>(p.get_int("stem_width"));
  config.unet.in_channels = static_cast<int>(p.get_int("base_width"));
  config.unet.base_width = static_cast<int>(p.get_int("base_width"));
  config.unet.max_width = static_cast<int>(p.get_int("max_width"));
  config.unet.levels = static_cast<int>(p.get_int("levels"));
  if (config.unet.max_width < config.unet.base_width) return Status::invalid("parameter 'max_width' must be >= 'base_width'");
  CenterNet net(config);
  if (crop.width % net.multiple() || crop.height % net.multiple())
    return Status::invalid("parameters 'crop_width' and 'crop_height' must be multiples of " + std::to_string(net.multiple()));
  if (const std::string init = p.get_string("init"); !init.empty()) {
    std::unique_ptr<CenterNet> from;
    CVPIPE_RETURN_IF_ERROR(CenterNet::load(init, from));
    if (from->architecture_json() != net.architecture_json())
      return Status::invalid("init: '" + init + "' has another architecture: " + from->architecture_json());
    auto src = from->module().named_parameters();
    auto dst = net.module().named_parameters();
    for (std::size_t i = 0; i < dst.size(); ++i) {
      src[i].param->value.copy_to(dst[i].param->value);
      dst[i].param->mark_updated();
    }
  } else {
    net.initialize(nn::derive_seed(seed, 0xde7));
  }

  const int classes = net.classes();
  const double jitter = p.get_number("scale_jitter"), gray = p.get_number("gray");
  auto dataset = std::make_shared<nn::FunctionDataset>(train->size(), [train, crop, jitter, gray, classes](std::size_t i, nn::Rng& rng) {
    return crop_sample(train->get(i), crop, jitter, gray, classes, rng);
  });
  nn::DataLoader loader(dataset, {.batch_size = batch, .shuffle = true, .drop_last = true, .seed = seed, .prefetch = 3});

  auto params = net.module().parameters();
  nn::Adam adam(params, {.lr = p.get_number("lr"), .weight_decay = p.get_number("weight_decay")});
  const double time_limit_s = p.get_number("time_limit") * 60.0;
  auto schedule = nn::timed_cosine_lr(p.get_number("lr"), p.get_number("min_lr"),
                                      std::min<std::int64_t>(p.get_int("warmup"), steps - 1), steps, time_limit_s);
  nn::TrainerOptions to = nn::trainer_options(p, ctx);
  to.steps_per_epoch = std::max<std::int64_t>(1, static_cast<std::int64_t>(loader.batches_per_epoch()));
  to.eval_every = p.get_int("eval_every");
  to.name = "detect";
  to.plot_panels = {{"loss", "heatmap", "offset", "size"}, {"val_map50"}};
  nn::Trainer trainer(to);
  trainer.add_module("net", net.module());
  trainer.add_optimizer("adam", adam, schedule);
  trainer.add_loader("train", loader);
  trainer.set_metadata("architecture", net.architecture_json());

  const double clip = p.get_number("grad_clip");
  const double size_weight = p.get_number("size_weight");
  std::vector<float> grad;
  trainer.set_step([&](const nn::StepContext&) -> nn::Metrics {
    nn::Batch b = loader.next();
    const nn::Tensor y = net.module().forward(b.images);
    const nn::Dims d = y.dims();
    const CenterLoss l = center_loss(y.to_vector(), b.targets.to_vector(), static_cast<int>(d[0]), classes,
                                     static_cast<int>(d[2]), static_cast<int>(d[3]), grad, size_weight);
    adam.zero_grad();
    net.module().backward(nn::Tensor::from_vector(d, grad));
    if (clip > 0) nn::clip_grad_norm(params, clip);
    adam.step();
    return {{"loss", l.total}, {"heatmap", l.heatmap}, {"offset", l.offset}, {"size", l.size}};
  });
  if (!val_scenes.empty())
    trainer.set_eval([&](const nn::StepContext&) -> nn::Metrics {
      const double map50 = validation_map50(net, val_scenes);
      net.module().train();
      return {{"val_map50", map50}};
    });

  if (!ctx.resume.empty()) CVPIPE_RETURN_IF_ERROR(trainer.resume(ctx.resume));
  const nn::TrainResult result = trainer.run();
  return nn::finish_training(result, p, ctx,
                             [&](const fs::path& f, const nn::ModelInfo& info) { return net.save(f, info); }, output);
}

}  // namespace

std::vector<ParamSpec> train_params() {
  return nn::trainer_params(
      {.steps = 10000, .lr = 2e-3, .min_lr = 2e-5, .warmup = 300, .log_every = 50, .checkpoint_every = 500, .seeds = "initialisation, scenes and crops"},
      {
          ParamSpec::path("coco", "", false, "train on this COCO folder (images/ + annotations.json); empty: composed digit scenes"),
          ParamSpec::path("val_coco", "", false, "validation COCO folder for val_map50 (with coco); empty: none"),
          ParamSpec::path("data", "", false, "digit scenes: folder of digits.png and the photos (empty: the opencv-doc folder)"),
          ParamSpec::integer("scenes", 200000, 1, 1e9, "digit scenes: distinct training scenes (scene i is composed on the fly)"),
          ParamSpec::integer("val_scenes", 100, 0, 100000, "validation scenes (train split, another seed) for val_map50"),
          ParamSpec::integer("crop_width", 256, 32, 4096, "training crop width (a multiple of 32)"),
          ParamSpec::integer("crop_height", 192, 32, 4096, "training crop height (a multiple of 32)"),
          ParamSpec::number("scale_jitter", 0.2, 0.0, 0.9, "scenes are resized by a random factor in [1 - j, 1 + j] before cropping"),
          ParamSpec::number("gray", 0.25, 0.0, 1.0, "share of training crops turned gray (the detector then works on gray pictures too)"),
          ParamSpec::integer("stem_width", 16, 1, 1024, "channels of the first stride-2 conv"),
          ParamSpec::integer("base_width", 24, 1, 1024, "U-Net channels at stride 4 (doubled per level)"),
          ParamSpec::integer("max_width", 96, 1, 4096, "U-Net channel cap"),
          ParamSpec::integer("levels", 3, 1, 6, "U-Net downsamplings below stride 4"),
          ParamSpec::integer("batch", 16, 1, 1024, "crops per step"),
          ParamSpec::number("weight_decay", 0.0, 0.0, 1.0, "Adam L2 weight decay"),
          ParamSpec::number("grad_clip", 10.0, 0.0, 1e6, "clip the global gradient norm to this (0: off)"),
          ParamSpec::number("size_weight", 1.0, 0.0, 100.0, "weight of the log-size L1 loss"),
          ParamSpec::model("init", "", "start from this detect model's weights (same architecture and classes)"),
          ParamSpec::integer("eval_every", 1000, 0, 1e9, "steps between val_map50 evaluations (0: at the end only)"),
      });
}

Status run_train(const Params& params, const CommandContext& ctx, std::string& output) {
  return guard([&] { return train_impl(params, ctx, output); });
}

}  // namespace cvpipe::detect
