// Stage `gan`: see gan_stage.hpp.
#include "gan_stage.hpp"

#include <cmath>
#include <cstdio>

#include <opencv2/imgproc.hpp>

#include "cvpipe/nn/context.hpp"
#include "cvpipe/plugin.hpp"
#include "digits_dataset.hpp"
#include "latent.hpp"

namespace cvpipe::gan {

std::vector<ParamSpec> GanStage::params() {
  return {
      ParamSpec::model("model", "models/gan_digits.safetensors",
                      "generator weights (default: the shipped digits model, found in the source tree or install share dir)"),
      ParamSpec::integer("count", 100, 1, 10000000, "images (sample) or frames (walk) to produce"),
      ParamSpec::integer("class", -1, -1, 999, "class to generate; -1 = every class in turn"),
      ParamSpec::integer("seed", 0, 0, 2147483647, "latent seed: the same seed gives the same images"),
      ParamSpec::number("truncation", 0.0, 0.0, 10.0,
                        "redraw latent components beyond +-t (truncation trick: cleaner, less varied); 0 = off"),
      ParamSpec::integer("size", 0, 0, 4096, "output side in pixels (upscaled); 0 = the model's size (32)"),
      ParamSpec::choice("interpolation", "cubic", {"nearest", "linear", "cubic", "area"}, "upscaling filter"),
      ParamSpec::choice("mode", "sample", {"sample", "walk"}, "sample: independent images; walk: a smooth latent walk (video frames)"),
      ParamSpec::integer("walk_steps", 24, 2, 10000, "walk: frames between two key latents"),
      ParamSpec::integer("batch", 64, 1, 1024, "images generated per network call"),
  };
}

Status GanStage::configure(const Params& p, const StageContext& ctx) {
  const std::filesystem::path model = p.get_string("model");  // found by the host
  GeneratorFile file;
  CVPIPE_RETURN_IF_ERROR(guard([&] { return load_generator(model, file); }));
  model_ = std::move(file);
  const int classes = model_.generator->arch().num_classes;
  count_ = p.get_int("count");
  class_ = static_cast<int>(p.get_int("class"));
  if (class_ >= classes)
    return Status::invalid("gan: class " + std::to_string(class_) + " is out of range: model '" + model.string() +
                           "' has classes 0.." + std::to_string(classes - 1) + " (-1 = all in turn)");
  seed_ = static_cast<std::uint64_t>(p.get_int("seed"));
  truncation_ = p.get_number("truncation");
  size_ = static_cast<int>(p.get_int("size"));
  walk_ = p.get_string("mode") == "walk";
  walk_steps_ = static_cast<int>(p.get_int("walk_steps"));
  batch_ = static_cast<int>(p.get_int("batch"));
  const std::string& interp = p.get_string("interpolation");
  interpolation_ = interp == "nearest" ? cv::INTER_NEAREST
                   : interp == "linear" ? cv::INTER_LINEAR
                   : interp == "area"   ? cv::INTER_AREA
                                        : cv::INTER_CUBIC;
  next_ = 0;
  ready_.clear();
  return {};
}

Status GanStage::open(const StreamInfo&, StreamInfo& out) {
  out = StreamInfo{};
  const int s = size_ > 0 ? size_ : model_.generator->arch().image_size;
  out.size = cv::Size(s, s);
  out.type = CV_8UC1;
  out.frame_count = count_;
  out.fps = walk_ ? 24.0 : 0.0;
  return {};
}

void GanStage::class_of(std::int64_t i, std::vector<float>& weights, int& label, float& score) const {
  const int classes = model_.generator->arch().num_classes;
  weights.assign(static_cast<std::size_t>(classes), 0.f);
  if (!walk_ || class_ >= 0) {
    label = class_ >= 0 ? class_ : static_cast<int>(i % classes);
    weights[label] = 1.f;
    score = 1.f;
    return;
  }
  // Walk over all classes: key frame k shows class k % classes; in between, the class vector blends.
  const std::int64_t k = i / walk_steps_;
  const double t = smoothstep(static_cast<double>(i % walk_steps_) / walk_steps_);
  const int a = static_cast<int>(k % classes), b = static_cast<int>((k + 1) % classes);
  weights[a] += static_cast<float>(1.0 - t);
  weights[b] += static_cast<float>(t);
  label = t < 0.5 ? a : b;
  score = static_cast<float>(t < 0.5 ? 1.0 - t : t);
}

std::vector<float> GanStage::latent_of(std::int64_t i) const {
  const int zd = model_.generator->arch().z_dim;
  if (!walk_) return latent_vector(seed_, static_cast<std::uint64_t>(i), zd, truncation_);
  const std::int64_t k = i / walk_steps_;
  const double t = smoothstep(static_cast<double>(i % walk_steps_) / walk_steps_);
  const auto a = latent_vector(seed_, static_cast<std::uint64_t>(k), zd, truncation_);
  const auto b = latent_vector(seed_, static_cast<std::uint64_t>(k + 1), zd, truncation_);
  return slerp(a, b, t);
}

Status GanStage::generate_batch() {
  return guard([&]() -> Status {
    const int n = static_cast<int>(std::min<std::int64_t>(batch_, count_ - next_));
    const auto& names = model_.class_names;
    std::vector<float> z, cls, w;
    std::vector<int> labels(n);
    std::vector<float> scores(n);
    for (int j = 0; j < n; ++j) {
      const auto zi = latent_of(next_ + j);
      z.insert(z.end(), zi.begin(), zi.end());
      class_of(next_ + j, w, labels[j], scores[j]);
      cls.insert(cls.end(), w.begin(), w.end());
    }
    const std::vector<cv::Mat> images = model_.generator->generate(z, cls, n);
    for (int j = 0; j < n; ++j) {
      const std::int64_t index = next_ + j;
      Frame f;
      f.image = to_8bit(images[j]);
      if (size_ > 0 && size_ != f.image.cols) cv::resize(f.image, f.image, cv::Size(size_, size_), 0, 0, interpolation_);
      char name[64];
      std::snprintf(name, sizeof name, "gan_c%d_%06lld", labels[j], static_cast<long long>(index));
      f.source = name;
      f.labels.push_back(Label{labels[j], names.at(labels[j]), scores[j]});
      f.meta["gan_class"] = static_cast<std::int64_t>(labels[j]);
      f.meta["gan_index"] = static_cast<std::int64_t>(index);
      f.meta["gan_seed"] = static_cast<std::int64_t>(seed_);
      if (walk_) f.pts_ns = static_cast<std::int64_t>(std::llround(index * 1e9 / 24.0));
      ready_.push_back(std::move(f));
    }
    next_ += n;
    return {};
  });
}

Status GanStage::produce(Frame& frame) {
  if (ready_.empty()) {
    if (next_ >= count_) return Status::end_of_stream();
    CVPIPE_RETURN_IF_ERROR(generate_batch());
  }
  const std::int64_t seq = frame.seq;
  frame = std::move(ready_.front());
  frame.seq = seq;
  ready_.pop_front();
  return {};
}

Status GanStage::close() {
  ready_.clear();
  return {};
}

}  // namespace cvpipe::gan
