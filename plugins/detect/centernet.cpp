// The CenterNet-style detector: see centernet.hpp.
#include "centernet.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>
#include <opencv2/dnn/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/layers.hpp"
#include "cvpipe/plugin.hpp"
#include "cvpipe/nn/json_number.hpp"

namespace cvpipe::detect {

namespace {

constexpr int kStemStride = 4;  // == kOutputStride: the U-Net decodes back to its input's resolution
constexpr float kPadGray = 114.f;
constexpr float kMaxLogSize = 6.f;  // exp(6) * 4 = 1614 px: no box is larger

float sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

}  // namespace

cv::Rect2f InputMapping::to_image(const cv::Rect2f& b) const {
  const auto s = static_cast<float>(scale);
  return {(b.x - static_cast<float>(pad_x)) / s, (b.y - static_cast<float>(pad_y)) / s, b.width / s, b.height / s};
}

InputMapping plan_input(cv::Size image, cv::Size input_size, int multiple) {
  InputMapping m;
  m.image = image;
  auto round_up = [&](int v) { return (std::max(v, 1) + multiple - 1) / multiple * multiple; };
  if (input_size.width <= 0 || input_size.height <= 0) {
    m.input = {round_up(image.width), round_up(image.height)};
    return m;
  }
  m.input = {round_up(input_size.width), round_up(input_size.height)};
  m.scale = std::min(static_cast<double>(m.input.width) / image.width, static_cast<double>(m.input.height) / image.height);
  const int w = std::min(m.input.width, static_cast<int>(std::lround(image.width * m.scale)));
  const int h = std::min(m.input.height, static_cast<int>(std::lround(image.height * m.scale)));
  m.pad_x = (m.input.width - w) / 2;
  m.pad_y = (m.input.height - h) / 2;
  return m;
}

cv::Mat map_input(const cv::Mat& bgr8, const InputMapping& m) {
  cv::Mat out(m.input, CV_8UC3, cv::Scalar::all(kPadGray));
  if (m.scale == 1.0) {
    bgr8.copyTo(out(cv::Rect(m.pad_x, m.pad_y, bgr8.cols, bgr8.rows)));
    return out;
  }
  const cv::Size size(std::min(m.input.width - m.pad_x, static_cast<int>(std::lround(bgr8.cols * m.scale))),
                      std::min(m.input.height - m.pad_y, static_cast<int>(std::lround(bgr8.rows * m.scale))));
  cv::resize(bgr8, out(cv::Rect(cv::Point(m.pad_x, m.pad_y), size)), size, 0, 0, m.scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

CenterNet::CenterNet(CenterNetConfig config) : config_(std::move(config)) {
  if (config_.class_names.empty()) throw nn::Error("CenterNet: no classes");
  config_.unet.out_channels = output_channels();
  config_.unet.in_channels = std::max(config_.unet.in_channels, 1);
  config_.unet.output_level = 0;
  auto stem = std::make_shared<nn::Sequential>();
  stem->emplace<nn::Conv2d>("0", 3, config_.stem_width, 3, 2, 1, 1, 1, false);
  stem->emplace<nn::BatchNorm2d>("1", config_.stem_width);
  stem->emplace<nn::ReLU>("2");
  stem->emplace<nn::Conv2d>("3", config_.stem_width, config_.unet.in_channels, 3, 2, 1, 1, 1, false);
  stem->emplace<nn::BatchNorm2d>("4", config_.unet.in_channels);
  stem->emplace<nn::ReLU>("5");
  net_ = std::make_shared<nn::Graph>(1);
  const int s = net_->add("stem", stem, {net_->input(0)});
  net_->add("unet", nn::make_unet(config_.unet), {s});
}

CenterNet::~CenterNet() = default;

int CenterNet::multiple() const { return kStemStride * nn::unet_multiple(config_.unet); }

void CenterNet::initialize(std::uint64_t seed) {
  nn::Rng rng(seed);
  nn::init_network(*net_, nn::InitScheme::kaiming, rng);
  // Heatmap logits start at the prior 0.1 (CenterNet's -2.19), the regression outputs at 0.
  for (auto& p : net_->named_parameters()) {
    if (p.name != "unet.head.bias") continue;
    std::vector<float> b(static_cast<std::size_t>(output_channels()), 0.f);
    std::fill(b.begin(), b.begin() + classes(), -std::log((1 - 0.1f) / 0.1f));
    p.param->value.from_vector(b);
    p.param->mark_updated();
  }
}

std::vector<Detection> CenterNet::detect(const cv::Mat& bgr8, cv::Size input_size, float min_score, int top_k) {
  const InputMapping m = plan_input(bgr8.size(), input_size, multiple());
  const cv::Mat blob = cv::dnn::blobFromImage(map_input(bgr8, m), 1.0 / 255.0);  // [1, 3, H, W] float, BGR kept
  if (net_->training()) net_->eval();  // switching modes rebuilds the graph schedule: not per frame
  const nn::Tensor x =
      nn::Tensor::from_vector({1, 3, m.input.height, m.input.width}, std::span<const float>(blob.ptr<float>(), blob.total()));
  const std::vector<float> y = net_->forward(x).to_vector();
  std::vector<Detection> dets = decode_detections(y.data(), m.input.height / kOutputStride, m.input.width / kOutputStride,
                                                  config_.class_names, min_score, top_k);
  const cv::Rect2f bounds(0, 0, static_cast<float>(bgr8.cols), static_cast<float>(bgr8.rows));
  for (auto& d : dets) d.box = m.to_image(d.box) & bounds;
  return dets;
}

std::string CenterNet::architecture_json() const {
  return nlohmann::json{{"type", kCenterNetType},
                        {"classes", classes()},
                        {"stem_width", config_.stem_width},
                        {"unet", nlohmann::json::parse(nn::unet_to_json(config_.unet))}}
      .dump();
}

std::string CenterNet::preprocessing_json() const {
  return nlohmann::json{{"scale", 1.0 / 255}, {"channels", "bgr"}, {"stride", kOutputStride}, {"multiple", multiple()},
                        {"pad_value", kPadGray}}
      .dump();
}

Status CenterNet::save(const std::filesystem::path& path, nn::ModelInfo info) {
  info.architecture = architecture_json();
  info.preprocessing = preprocessing_json();
  info.class_names = config_.class_names;
  return nn::save_model(path, *net_, info);
}

Status CenterNet::load(const std::filesystem::path& path, std::unique_ptr<CenterNet>& out) {
  nn::SafeTensors st;
  nn::ModelInfo info;
  CVPIPE_RETURN_IF_ERROR(nn::read_model_file(path, st, info));
  const std::string label = path.string();
  CenterNetConfig config;
  const auto arch = nlohmann::json::parse(info.architecture);  // an object with "type": read_model_file checked it
  if (arch.value("type", "") != kCenterNetType)
    return Status::invalid(label + ": not a detect model (architecture type '" + info.architecture_type() + "', expected '" +
                           kCenterNetType + "')");
  if (!arch.contains("classes") || !arch["classes"].is_number_integer() || !arch.contains("unet") || !arch["unet"].is_object() ||
      !arch.contains("stem_width") || !arch["stem_width"].is_number_integer())
    return Status::invalid(label + ": the architecture lacks 'classes', 'stem_width' or 'unet'");
  const auto classes = arch["classes"].get<long long>();
  if (classes < 1 || classes > 10000 || static_cast<std::size_t>(classes) != info.class_names.size())
    return Status::invalid(label + ": 'classes' = " + std::to_string(classes) + " but the file names " +
                           std::to_string(info.class_names.size()) + " classes");
  config.class_names = info.class_names;
  config.stem_width = nn::json_int(arch["stem_width"], "stem_width");
  if (config.stem_width < 1 || config.stem_width > 4096) return Status::invalid(label + ": 'stem_width' out of range");
  CVPIPE_RETURN_IF_ERROR(nn::unet_from_json(arch["unet"].dump(), label, config.unet));
  std::unique_ptr<CenterNet> net;
  CVPIPE_RETURN_IF_ERROR(guard([&] { net = std::make_unique<CenterNet>(config); return Status{}; }, label,
                               StatusCode::invalid_argument));
  CVPIPE_RETURN_IF_ERROR(nn::import_module(st, net->module(), label));
  out = std::move(net);
  return {};
}

double gaussian_radius(double height, double width, double min_overlap) {
  // The three cases of CenterNet's gaussian_radius (corner shifts that keep IoU >= min_overlap).
  const double b1 = height + width;
  const double c1 = width * height * (1 - min_overlap) / (1 + min_overlap);
  const double r1 = (b1 + std::sqrt(b1 * b1 - 4 * c1)) / 2;
  const double b2 = 2 * (height + width);
  const double c2 = (1 - min_overlap) * width * height;
  const double r2 = (b2 + std::sqrt(b2 * b2 - 16 * c2)) / 2;
  const double a3 = 4 * min_overlap;
  const double b3 = -2 * min_overlap * (height + width);
  const double c3 = (min_overlap - 1) * width * height;
  const double r3 = (b3 + std::sqrt(b3 * b3 - 4 * a3 * c3)) / 2;
  return std::min({r1, r2, r3});
}

cv::Mat encode_targets(const std::vector<TargetBox>& boxes, int classes, cv::Size grid) {
  const int sizes[3] = {classes + 5, grid.height, grid.width};
  cv::Mat t(3, sizes, CV_32F, cv::Scalar(0));
  const std::size_t plane = static_cast<std::size_t>(grid.area());
  auto* base = t.ptr<float>();
  const float s = kOutputStride;
  for (const auto& b : boxes) {
    if (b.class_id < 0 || b.class_id >= classes || !(b.box.width > 0) || !(b.box.height > 0)) continue;
    const float cx = (b.box.x + b.box.width / 2) / s, cy = (b.box.y + b.box.height / 2) / s;
    const int ix = static_cast<int>(std::floor(cx)), iy = static_cast<int>(std::floor(cy));
    if (ix < 0 || iy < 0 || ix >= grid.width || iy >= grid.height) continue;
    const double r = std::max(0.0, std::floor(gaussian_radius(b.box.height / s, b.box.width / s)));
    const double sigma = (2 * r + 1) / 6;
    float* heat = base + static_cast<std::size_t>(b.class_id) * plane;
    const int ri = static_cast<int>(r);
    for (int y = std::max(0, iy - ri); y <= std::min(grid.height - 1, iy + ri); ++y)
      for (int x = std::max(0, ix - ri); x <= std::min(grid.width - 1, ix + ri); ++x) {
        const double d2 = (x - ix) * (x - ix) + (y - iy) * (y - iy);
        const auto g = static_cast<float>(std::exp(-d2 / (2 * sigma * sigma)));
        float& v = heat[static_cast<std::size_t>(y) * grid.width + x];
        v = std::max(v, g);
      }
    const std::size_t at = static_cast<std::size_t>(iy) * grid.width + ix;
    float* reg = base + static_cast<std::size_t>(classes) * plane;
    reg[at] = cx - ix;
    reg[plane + at] = cy - iy;
    reg[2 * plane + at] = std::log(b.box.width / s);
    reg[3 * plane + at] = std::log(b.box.height / s);
    reg[4 * plane + at] = 1.f;
  }
  return t;
}

CenterLoss center_loss(const std::vector<float>& out, const std::vector<float>& targets, int n, int classes, int h, int w,
                       std::vector<float>& grad, double size_weight) {
  const std::size_t plane = static_cast<std::size_t>(h) * w;
  const std::size_t out_img = plane * (classes + 4), tgt_img = plane * (classes + 5);
  grad.assign(out.size(), 0.f);
  double objects = 0;
  for (int i = 0; i < n; ++i) {
    const float* mask = targets.data() + i * tgt_img + (classes + 4) * plane;
    for (std::size_t k = 0; k < plane; ++k) objects += mask[k];
  }
  const double norm = 1.0 / std::max(1.0, objects);
  CenterLoss loss;
  double heat = 0;
#pragma omp parallel for reduction(+ : heat) schedule(static)
  for (int i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < plane * classes; ++k) {
      const float x = out[i * out_img + k], y = targets[i * tgt_img + k];
      const float p = std::clamp(sigmoid(x), 1e-6f, 1.f - 1e-6f);
      float g;
      if (y >= 1.f) {  // a centre: -(1-p)^2 log p
        heat += -(1 - p) * (1 - p) * std::log(p);
        g = (1 - p) * (1 - p) * (2 * p * std::log(p) - (1 - p));
      } else {  // elsewhere: -(1-y)^4 p^2 log(1-p)
        const float wneg = (1 - y) * (1 - y) * (1 - y) * (1 - y);
        heat += -wneg * p * p * std::log(1 - p);
        g = wneg * p * p * (p - 2 * (1 - p) * std::log(1 - p));
      }
      grad[i * out_img + k] = static_cast<float>(g * norm);
    }
  }
  double offset = 0, size = 0;
  for (int i = 0; i < n; ++i) {
    const float* o = out.data() + i * out_img + classes * plane;
    const float* t = targets.data() + i * tgt_img + classes * plane;
    float* g = grad.data() + i * out_img + classes * plane;
    const float* mask = t + 4 * plane;
    for (std::size_t k = 0; k < plane; ++k) {
      if (mask[k] <= 0) continue;
      for (int c = 0; c < 4; ++c) {
        const std::size_t at = c * plane + k;
        const float d = o[at] - t[at];
        const double wgt = c < 2 ? 1.0 : size_weight;
        (c < 2 ? offset : size) += std::abs(d);
        g[at] = static_cast<float>(wgt * norm * (d > 0 ? 1 : d < 0 ? -1 : 0));
      }
    }
  }
  loss.heatmap = heat * norm;
  loss.offset = offset * norm;
  loss.size = size * norm;
  loss.total = loss.heatmap + loss.offset + size_weight * loss.size;
  return loss;
}

std::vector<Detection> decode_detections(const float* out, int h, int w, const std::vector<std::string>& class_names,
                                         float min_score, int top_k) {
  const int classes = static_cast<int>(class_names.size());
  const std::size_t plane = static_cast<std::size_t>(h) * w;
  const float min_logit = std::log(std::max(min_score, 1e-6f) / std::max(1 - min_score, 1e-6f));
  struct Peak {
    float logit;
    int c, y, x;
  };
  std::vector<Peak> peaks;
  for (int c = 0; c < classes; ++c) {
    const float* heat = out + c * plane;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const float v = heat[static_cast<std::size_t>(y) * w + x];
        if (v < min_logit) continue;
        bool peak = true;
        for (int dy = -1; dy <= 1 && peak; ++dy)
          for (int dx = -1; dx <= 1 && peak; ++dx) {
            const int yy = y + dy, xx = x + dx;
            if ((dy || dx) && yy >= 0 && yy < h && xx >= 0 && xx < w && heat[static_cast<std::size_t>(yy) * w + xx] > v) peak = false;
          }
        if (peak) peaks.push_back({v, c, y, x});
      }
  }
  std::sort(peaks.begin(), peaks.end(), [](const Peak& a, const Peak& b) { return a.logit > b.logit; });
  if (static_cast<int>(peaks.size()) > top_k) peaks.resize(static_cast<std::size_t>(top_k));
  const float* reg = out + classes * plane;
  const float s = kOutputStride;
  std::vector<Detection> dets;
  for (const auto& p : peaks) {
    const std::size_t at = static_cast<std::size_t>(p.y) * w + p.x;
    const float cx = (p.x + reg[at]) * s, cy = (p.y + reg[plane + at]) * s;
    const float bw = std::exp(std::clamp(reg[2 * plane + at], -kMaxLogSize, kMaxLogSize)) * s;
    const float bh = std::exp(std::clamp(reg[3 * plane + at], -kMaxLogSize, kMaxLogSize)) * s;
    dets.push_back(Detection{cv::Rect2f(cx - bw / 2, cy - bh / 2, bw, bh), p.c, class_names[static_cast<std::size_t>(p.c)],
                             sigmoid(p.logit)});
  }
  return dets;
}

}  // namespace cvpipe::detect
