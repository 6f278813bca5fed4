// Stage `classify` (see classify_stage.hpp).
#include "classify_stage.hpp"

#include <algorithm>
#include <numeric>


namespace cvpipe::classify {

std::vector<ParamSpec> ClassifyStage::params() {
  return {
      ParamSpec::model("model", kDefaultModel, "classify model (.safetensors); default: the shipped digits model"),
      ParamSpec::integer("top_k", 1, 1, 100, "number of labels written per frame (best first)"),
      ParamSpec::choice("crops", "frame", {"frame", "detections"},
                        "classify the whole frame, or each detection box (filling its class_id, label, score)"),
      ParamSpec::integer("batch", 16, 1, 1024, "frames per network batch"),
      ParamSpec::number("threshold", 0.0, 0.0, 1.0,
                        "minimum probability for a label to be written (detections below keep their label)"),
      ParamSpec::number("margin", 0.0, 0.0, 1.0, "detections: grow each box by this fraction of its size per side"),
      ParamSpec::choice("prepare", "auto", {"auto", "none"},
                        "auto: map any picture to the model's domain (digits: polarity, ink crop, centring); "
                        "none: only convert and resize"),
  };
}

Status ClassifyStage::configure(const Params& p, const StageContext& ctx) {
  name_ = ctx.instance_name.empty() ? "classify" : ctx.instance_name;
  const std::filesystem::path file = p.get_string("model");  // found by the host
  Status st = Classifier::load(file, model_);
  if (!st.ok()) return Status(st.code(), "stage '" + name_ + "': " + st.message());
  top_k_ = static_cast<int>(std::min<int64_t>(p.get_int("top_k"), model_->num_classes()));
  crops_ = p.get_string("crops") == "detections";
  batch_ = static_cast<int>(p.get_int("batch"));
  threshold_ = static_cast<float>(p.get_number("threshold"));
  margin_ = static_cast<float>(p.get_number("margin"));
  mode_ = p.get_string("prepare") == "none" ? InputMode::prepared : InputMode::automatic;
  model_->set_max_batch(std::max(batch_, 1));
  return {};
}

Status ClassifyStage::open(const StreamInfo& in, StreamInfo& out) {
  out = in;
  return {};
}

Status ClassifyStage::process(Frame& frame) {
  std::vector<Frame> one;
  one.push_back(std::move(frame));
  Status st = process_batch(one);
  frame = std::move(one.front());
  return st;
}

Status ClassifyStage::process_batch(std::vector<Frame>& frames) {
  if (!model_) return Status::runtime("stage '" + name_ + "': not configured");
  // What to classify: (frame index, detection index or -1, image).
  struct Item {
    std::size_t frame;
    int det;
  };
  std::vector<Item> items;
  std::vector<cv::Mat> images;
  std::string errors;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    Frame& f = frames[i];
    if (f.image.empty()) {
      errors += (errors.empty() ? "" : "; ") + std::string("frame ") + std::to_string(f.seq) +
                (f.source.empty() ? "" : " (" + f.source + ")") + " has an empty image";
      continue;
    }
    if (!crops_) {
      items.push_back({i, -1});
      images.push_back(f.image);
      continue;
    }
    const cv::Rect2f bounds(0.f, 0.f, static_cast<float>(f.image.cols), static_cast<float>(f.image.rows));
    for (std::size_t d = 0; d < f.detections.size(); ++d) {
      cv::Rect2f b = f.detections[d].box;
      b.x -= b.width * margin_;
      b.y -= b.height * margin_;
      b.width *= 1.f + 2.f * margin_;
      b.height *= 1.f + 2.f * margin_;
      const cv::Rect2f c = b & bounds;
      const cv::Rect r(cvFloor(c.x), cvFloor(c.y), cvCeil(c.x + c.width) - cvFloor(c.x), cvCeil(c.y + c.height) - cvFloor(c.y));
      const cv::Rect ri = r & cv::Rect(0, 0, f.image.cols, f.image.rows);
      if (ri.width < 1 || ri.height < 1) continue;  // box outside the image: nothing to classify
      items.push_back({i, static_cast<int>(d)});
      images.push_back(f.image(ri));
    }
  }
  if (!images.empty()) {
    cv::Mat probs;
    Status st = model_->predict(images, probs, nullptr, mode_);
    if (!st.ok()) return Status(st.code(), "stage '" + name_ + "': " + st.message());
    const auto& names = model_->spec().class_names;
    std::vector<int> order(static_cast<std::size_t>(probs.cols));
    // Frames being classified whole get a fresh label list.
    for (const Item& it : items)
      if (it.det < 0) frames[it.frame].labels.clear();
    for (std::size_t n = 0; n < items.size(); ++n) {
      const float* p = probs.ptr<float>(static_cast<int>(n));
      std::iota(order.begin(), order.end(), 0);
      std::partial_sort(order.begin(), order.begin() + top_k_, order.end(),
                        [&](int a, int b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
      Frame& f = frames[items[n].frame];
      if (items[n].det < 0) {
        for (int k = 0; k < top_k_; ++k) {
          const int c = order[static_cast<std::size_t>(k)];
          if (p[c] < threshold_) break;
          f.labels.push_back(Label{c, names[static_cast<std::size_t>(c)], p[c]});
        }
      } else {
        const int c = order[0];
        if (p[c] < threshold_) continue;
        Detection& d = f.detections[static_cast<std::size_t>(items[n].det)];
        d.class_id = c;
        d.label = names[static_cast<std::size_t>(c)];
        d.score = p[c];
      }
    }
  }
  if (!errors.empty()) return Status::invalid("stage '" + name_ + "': " + errors);
  return {};
}

}  // namespace cvpipe::classify
