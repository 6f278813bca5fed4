// OnnxModel and the decodings: see onnx_model.hpp.
#include "onnx_model.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/nn/onnx.hpp"

namespace cvpipe::onnx_stage {

namespace {

int round_up(int v, int m) { return m > 1 ? (v + m - 1) / m * m : v; }

std::string shape_of(const cv::Mat& m) {
  std::string s = "[";
  for (int i = 0; i < m.dims; ++i) s += (i ? ", " : "") + std::to_string(m.size[i]);
  return s + "]";
}

}  // namespace

Status OnnxModel::open(const std::filesystem::path& file, const InputSpec& spec, std::unique_ptr<OnnxModel>& out) {
  auto m = std::make_unique<OnnxModel>();
  m->label_ = file.string();
  m->spec_ = spec;
  nn::OnnxFileInfo info;
  CVPIPE_RETURN_IF_ERROR(nn::read_onnx_info(file, info));
  if (!info.input_dims.empty() && info.input_dims.size() != 4)
    return Status::invalid(m->label_ + ": input '" + info.input_name + "' has rank " + std::to_string(info.input_dims.size()) +
                           "; the onnx stage feeds images, [N, C, H, W]");
  if (info.input_dims.size() == 4) {
    if (info.input_dims[1] != 0 && info.input_dims[1] != 1 && info.input_dims[1] != 3)
      return Status::invalid(m->label_ + ": input '" + info.input_name + "' has " + std::to_string(info.input_dims[1]) +
                             " channels; the onnx stage feeds 1 or 3");
    if (info.input_dims[1] == 1) m->channels_ = 1;
    m->fixed_h_ = static_cast<int>(info.input_dims[2]);
    m->fixed_w_ = static_cast<int>(info.input_dims[3]);
  }
  m->metadata_ = std::move(info.metadata);
  if (spec.engine) {
    nn::OnnxImport imported;
    const nn::Dims want{0, 0, spec.height, spec.width};
    CVPIPE_RETURN_IF_ERROR(nn::import_onnx(file, want, imported));
    m->engine_ = imported.net;
    m->engine_->eval();
    out = std::move(m);
    return Status::success();
  }
  try {
    m->net_ = cv::dnn::readNetFromONNX(file.string());
  } catch (const cv::Exception& e) {
    return Status::invalid(m->label_ + ": OpenCV dnn cannot import it: " + e.what());
  }
  if (m->net_.empty()) return Status::invalid(m->label_ + ": OpenCV dnn imported an empty network");
  out = std::move(m);
  return Status::success();
}

std::vector<std::string> OnnxModel::class_names() const {
  auto it = metadata_.find("class_names");
  if (it == metadata_.end()) return {};
  const auto j = nlohmann::json::parse(it->second, nullptr, false);
  std::vector<std::string> names;
  if (!j.is_array()) return names;
  for (const auto& v : j) names.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  return names;
}

Status OnnxModel::run(const cv::Mat& image, cv::Mat& output, InputMapping& mapping) {
  if (image.empty()) return Status::invalid(label_ + ": empty frame image");
  if (image.depth() != CV_8U && image.depth() != CV_16U)
    return Status::invalid(label_ + ": frame depth must be 8 or 16 bits");
  cv::Mat img = image;
  if (img.depth() == CV_16U) img.convertTo(img, CV_8U, 1.0 / 257.0);
  if (img.channels() == 4) cv::cvtColor(img, img, cv::COLOR_BGRA2BGR);
  if (channels_ == 1 && img.channels() == 3) cv::cvtColor(img, img, cv::COLOR_BGR2GRAY);
  if (channels_ == 3 && img.channels() == 1) cv::cvtColor(img, img, cv::COLOR_GRAY2BGR);
  if (channels_ == 3 && spec_.swap_rb) cv::cvtColor(img, img, cv::COLOR_BGR2RGB);
  const int w = spec_.width > 0 ? spec_.width : fixed_w_;
  const int h = spec_.height > 0 ? spec_.height : fixed_h_;
  mapping = {};
  if (w > 0 && h > 0) {
    if (img.cols != w || img.rows != h) cv::resize(img, img, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
    mapping.input = mapping.content = cv::Size(w, h);
    mapping.sx = static_cast<double>(w) / image.cols;
    mapping.sy = static_cast<double>(h) / image.rows;
  } else {
    mapping.content = img.size();
    mapping.input = cv::Size(round_up(img.cols, spec_.multiple), round_up(img.rows, spec_.multiple));
  }
  cv::Mat f;
  img.convertTo(f, CV_32F, spec_.scale);
  std::vector<cv::Mat> planes;
  cv::split(f, planes);
  for (std::size_t c = 0; c < planes.size(); ++c) {
    // mean/std are in RGB order: plane c holds R when the input is RGB (swap_rb), B otherwise.
    const std::size_t rgb = planes.size() == 1 ? 0 : (spec_.swap_rb ? c : 2 - c);
    planes[c] = (planes[c] - spec_.mean[rgb]) / spec_.std[rgb];
  }
  const int sizes[4] = {1, static_cast<int>(planes.size()), mapping.input.height, mapping.input.width};
  cv::Mat blob(4, sizes, CV_32F, cv::Scalar(0));
  for (std::size_t c = 0; c < planes.size(); ++c) {
    cv::Mat dst(mapping.input.height, mapping.input.width, CV_32F, blob.ptr<float>(0, static_cast<int>(c)));
    planes[c].copyTo(dst(cv::Rect(0, 0, planes[c].cols, planes[c].rows)));
  }
  try {
    if (engine_) {
      const nn::Tensor y = engine_->forward(nn::Tensor::from_vector(
          {1, sizes[1], sizes[2], sizes[3]}, std::span<const float>(blob.ptr<float>(), blob.total())));
      const nn::Dims yd = y.dims();
      std::vector<int> dims(yd.begin(), yd.end());
      const std::vector<float> v = y.to_vector();
      output = cv::Mat(static_cast<int>(dims.size()), dims.data(), CV_32F);
      std::copy(v.begin(), v.end(), output.ptr<float>());
    } else {
      net_.setInput(blob);
      output = net_.forward().clone();
    }
  } catch (const std::exception& e) {
    return Status::runtime(label_ + ": inference failed on a " + std::to_string(mapping.input.width) + "x" +
                           std::to_string(mapping.input.height) + " input: " + e.what());
  }
  if (output.depth() != CV_32F) return Status::runtime(label_ + ": the output is not float32");
  return Status::success();
}

Status read_labels_file(const std::filesystem::path& file, std::vector<std::string>& out) {
  std::ifstream in(file);
  if (!in) return Status::not_found(file.string() + ": cannot open the labels file");
  out.clear();
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  if (out.empty()) return Status::invalid(file.string() + ": the labels file is empty");
  return Status::success();
}

Status decode_labels(const cv::Mat& output, const std::vector<std::string>& names, int top_k, float threshold,
                     std::vector<Label>& out) {
  const std::size_t total = output.total();
  if (output.dims < 2 || output.size[0] != 1 || total != static_cast<std::size_t>(output.size[1]))
    return Status::invalid("output: labels: expected a [1, K] output, got " + shape_of(output));
  const float* v = output.ptr<float>();
  std::vector<float> p(v, v + total);
  const double sum = std::accumulate(p.begin(), p.end(), 0.0);
  const bool probs = std::all_of(p.begin(), p.end(), [](float x) { return x >= 0.f && x <= 1.f; }) && std::fabs(sum - 1.0) < 1e-3;
  if (!probs) {
    const float m = *std::max_element(p.begin(), p.end());
    double s = 0;
    for (auto& x : p) s += (x = std::exp(x - m));
    for (auto& x : p) x = static_cast<float>(x / s);
  }
  if (!names.empty() && names.size() != p.size())
    return Status::invalid("output: labels: the model has " + std::to_string(p.size()) + " classes but " +
                           std::to_string(names.size()) + " label names are given");
  std::vector<int> idx(p.size());
  std::iota(idx.begin(), idx.end(), 0);
  const int k = std::min<int>(top_k, static_cast<int>(idx.size()));
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int a, int b) { return p[a] > p[b]; });
  out.clear();
  for (int i = 0; i < k; ++i) {
    const int c = idx[static_cast<std::size_t>(i)];
    if (p[static_cast<std::size_t>(c)] < threshold) break;
    out.push_back({c, names.empty() ? std::to_string(c) : names[static_cast<std::size_t>(c)], p[static_cast<std::size_t>(c)]});
  }
  return Status::success();
}

Status decode_detections(const cv::Mat& output, const InputMapping& mapping, cv::Size frame,
                         const std::vector<std::string>& names, const DetectionDecoding& d,
                         std::vector<Detection>& out) {
  if (output.dims != 3 || output.size[0] != 1)
    return Status::invalid("output: detections: expected a [1, N, 5 + C] or [1, 4 + C, N] output, got " + shape_of(output));
  const int a = output.size[1], b = output.size[2];
  bool rows = d.layout == "rows";
  if (d.layout == "auto") rows = b <= a;
  const int n = rows ? a : b, width = rows ? b : a;
  const int classes = width - (rows ? 5 : 4);
  if (classes < 1)
    return Status::invalid("output: detections: " + shape_of(output) + " has no class scores for layout " +
                           (rows ? "rows [1, N, 5 + C]" : "cols [1, 4 + C, N]"));
  if (!names.empty() && static_cast<int>(names.size()) != classes)
    return Status::invalid("output: detections: the model has " + std::to_string(classes) + " classes but " +
                           std::to_string(names.size()) + " label names are given");
  const float* v = output.ptr<float>();
  auto at = [&](int i, int k) { return rows ? v[static_cast<std::size_t>(i) * width + k] : v[static_cast<std::size_t>(k) * n + i]; };
  std::vector<cv::Rect2d> boxes;
  std::vector<float> scores;
  std::vector<int> ids;
  for (int i = 0; i < n; ++i) {
    const float obj = rows ? at(i, 4) : 1.f;
    int best = 0;
    float bs = -1.f;
    for (int c = 0; c < classes; ++c) {
      const float s = at(i, (rows ? 5 : 4) + c);
      if (s > bs) bs = s, best = c;
    }
    const float score = obj * bs;
    if (score < d.score_threshold) continue;
    const double cx = at(i, 0), cy = at(i, 1), w = at(i, 2), h = at(i, 3);
    boxes.emplace_back((cx - w / 2) / mapping.sx, (cy - h / 2) / mapping.sy, w / mapping.sx, h / mapping.sy);
    scores.push_back(score);
    ids.push_back(best);
  }
  // Per-class non-maximum suppression (OpenCV 4.6 has no batched NMS).
  std::vector<int> keep;
  std::map<int, std::vector<int>> by_class;
  for (std::size_t k = 0; k < ids.size(); ++k) by_class[ids[k]].push_back(static_cast<int>(k));
  for (const auto& [c, members] : by_class) {
    std::vector<cv::Rect2d> b;
    std::vector<float> s;
    for (int k : members) b.push_back(boxes[static_cast<std::size_t>(k)]), s.push_back(scores[static_cast<std::size_t>(k)]);
    std::vector<int> kept;
    cv::dnn::NMSBoxes(b, s, d.score_threshold, d.nms_threshold, kept);
    for (int k : kept) keep.push_back(members[static_cast<std::size_t>(k)]);
  }
  std::sort(keep.begin(), keep.end(), [&](int x, int y) { return scores[static_cast<std::size_t>(x)] > scores[static_cast<std::size_t>(y)]; });
  if (static_cast<int>(keep.size()) > d.max_detections) keep.resize(static_cast<std::size_t>(d.max_detections));
  out.clear();
  const cv::Rect2d bounds(0, 0, frame.width, frame.height);
  for (int k : keep) {
    const auto i = static_cast<std::size_t>(k);
    const cv::Rect2d r = boxes[i] & bounds;
    if (r.width <= 0 || r.height <= 0) continue;
    Detection det;
    det.box = cv::Rect2f(static_cast<float>(r.x), static_cast<float>(r.y), static_cast<float>(r.width), static_cast<float>(r.height));
    det.class_id = ids[i];
    det.label = names.empty() ? std::to_string(ids[i]) : names[static_cast<std::size_t>(ids[i])];
    det.score = scores[i];
    out.push_back(det);
  }
  return Status::success();
}

Status decode_image(const cv::Mat& output, const InputMapping& mapping, cv::Size frame, double out_scale,
                    double out_offset, bool swap_rb, cv::Mat& out) {
  if (output.dims != 4 || output.size[0] != 1)
    return Status::invalid("output: image: expected a [1, C, H, W] output, got " + shape_of(output));
  const int c = output.size[1] >= 3 ? 3 : 1, h = output.size[2], w = output.size[3];
  std::vector<cv::Mat> planes;
  for (int i = 0; i < c; ++i) {
    cv::Mat p(h, w, CV_32F, const_cast<float*>(output.ptr<float>(0, i)));
    cv::Mat u;
    p.convertTo(u, CV_8U, out_scale, out_offset);
    planes.push_back(u);
  }
  cv::Mat img;
  cv::merge(planes, img);
  if (c == 3 && swap_rb) cv::cvtColor(img, img, cv::COLOR_RGB2BGR);
  // The part of the output that covers the frame's content (the output may be at another scale).
  const int cw = std::max(1, static_cast<int>(std::lround(static_cast<double>(w) * mapping.content.width / mapping.input.width)));
  const int ch = std::max(1, static_cast<int>(std::lround(static_cast<double>(h) * mapping.content.height / mapping.input.height)));
  img = img(cv::Rect(0, 0, std::min(cw, w), std::min(ch, h)));
  if (img.size() != frame) cv::resize(img, img, frame, 0, 0, cv::INTER_LINEAR);
  out = img.clone();
  return Status::success();
}

}  // namespace cvpipe::onnx_stage
