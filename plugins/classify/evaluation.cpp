// Classifier evaluation, its JSON and the confusion-matrix PNG (see evaluation.hpp).
#include "evaluation.hpp"

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/nn/distributed.hpp"
#include "cvpipe/nn/safetensors.hpp"

namespace cvpipe::classify {

namespace {

// Predicts the samples `items` of `data` (all when null) into r.confusion; adds the time to `ms`.
Status count_predictions(Classifier& model, const LabeledImages& data, const std::vector<std::size_t>* items, InputMode mode,
                         EvalResult& r, double& ms) {
  const int k = model.num_classes();
  if (static_cast<int>(data.class_names.size()) != k)
    return Status::invalid("the model has " + std::to_string(k) + " classes but dataset " + data.description + " has " +
                           std::to_string(data.class_names.size()));
  if (data.size() == 0) return Status::invalid("dataset " + data.description + " is empty");
  r.class_names = model.spec().class_names;
  r.confusion.assign(static_cast<std::size_t>(k), std::vector<int>(static_cast<std::size_t>(k), 0));
  std::vector<cv::Mat> subset;
  if (items) {
    if (items->empty()) return {};
    for (std::size_t i : *items) subset.push_back(data.images[i]);
  }
  const auto t0 = std::chrono::steady_clock::now();
  cv::Mat probs;
  CVPIPE_RETURN_IF_ERROR(model.predict(items ? subset : data.images, probs, nullptr, mode));
  ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  for (int i = 0; i < probs.rows; ++i) {
    const float* p = probs.ptr<float>(i);
    const int pred = static_cast<int>(std::max_element(p, p + k) - p);
    const int truth = data.labels[items ? (*items)[static_cast<std::size_t>(i)] : static_cast<std::size_t>(i)];
    ++r.confusion[static_cast<std::size_t>(truth)][static_cast<std::size_t>(pred)];
  }
  return {};
}

// n, accuracy, per-class accuracy and time per image from the confusion counts and the total time.
void summarize(EvalResult& r, double ms) {
  std::int64_t correct = 0;
  r.n = 0;
  r.per_class.clear();
  for (std::size_t c = 0; c < r.confusion.size(); ++c) {
    const auto& row = r.confusion[c];
    int total = 0;
    for (int v : row) total += v;
    r.n += total;
    correct += row[c];
    r.per_class.push_back(total ? static_cast<double>(row[c]) / total : 0.0);
  }
  r.accuracy = r.n ? static_cast<double>(correct) / static_cast<double>(r.n) : 0.0;
  r.ms_per_image = r.n ? ms / static_cast<double>(r.n) : 0.0;
}

}  // namespace

Status evaluate(Classifier& model, const LabeledImages& data, InputMode mode, EvalResult& out) {
  EvalResult r;
  double ms = 0;
  CVPIPE_RETURN_IF_ERROR(count_predictions(model, data, nullptr, mode, r, ms));
  summarize(r, ms);
  out = std::move(r);
  return {};
}

Status evaluate_sharded(Classifier& model, const LabeledImages& data, InputMode mode, EvalResult& out) {
  EvalResult r;
  double ms = 0;
  const std::vector<std::size_t> mine = nn::dist::owned_items(data.size());
  CVPIPE_RETURN_IF_ERROR(count_predictions(model, data, &mine, mode, r, ms));
  // Sums of counts (and of time: the ranks' work added up), never averages of averages.
  std::vector<double> sums{ms};
  for (const auto& row : r.confusion) sums.insert(sums.end(), row.begin(), row.end());
  nn::dist::sum(sums);
  std::size_t at = 1;
  for (auto& row : r.confusion)
    for (int& v : row) v = static_cast<int>(sums[at++]);
  summarize(r, sums[0]);
  out = std::move(r);
  return {};
}

std::string eval_json(const EvalResult& r, const std::string& model, const std::string& dataset) {
  nlohmann::json j;
  j["accuracy"] = r.accuracy;
  j["n"] = r.n;
  j["per_class"] = r.per_class;
  j["ms_per_image"] = r.ms_per_image;
  j["class_names"] = r.class_names;
  j["confusion"] = r.confusion;
  j["model"] = model;
  j["dataset"] = dataset;
  return j.dump();
}

cv::Mat render_confusion(const EvalResult& r, const std::string& title) {
  const int k = static_cast<int>(r.class_names.size());
  const int cell = k <= 12 ? 48 : std::max(16, 576 / std::max(1, k));
  const int left = 90, top = 70, right = 20, bottom = 20;
  cv::Mat img(top + k * cell + bottom, left + k * cell + right, CV_8UC3, cv::Scalar(255, 255, 255));
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  char buf[128];
  std::snprintf(buf, sizeof buf, "%s  accuracy %.2f%% (n=%lld)", title.c_str(), 100.0 * r.accuracy,
                static_cast<long long>(r.n));
  cv::putText(img, buf, {10, 24}, font, 0.55, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  cv::putText(img, "predicted ->", {left, top - 28}, font, 0.45, cv::Scalar(80, 80, 80), 1, cv::LINE_AA);
  cv::putText(img, "true", {10, top + 14}, font, 0.45, cv::Scalar(80, 80, 80), 1, cv::LINE_AA);
  const double label_scale = cell >= 40 ? 0.45 : 0.3;
  for (int t = 0; t < k; ++t) {
    int total = 0;
    for (int v : r.confusion[static_cast<std::size_t>(t)]) total += v;
    const std::string name = r.class_names[static_cast<std::size_t>(t)].substr(0, 8);
    cv::putText(img, name, {left - 8 - static_cast<int>(name.size()) * 8, top + t * cell + cell / 2 + 5}, font, label_scale,
                cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    cv::putText(img, name.substr(0, std::max<std::size_t>(1, static_cast<std::size_t>(cell / 9))),
                {left + t * cell + 4, top - 8}, font, label_scale, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    for (int p = 0; p < k; ++p) {
      const int v = r.confusion[static_cast<std::size_t>(t)][static_cast<std::size_t>(p)];
      const double f = total ? static_cast<double>(v) / total : 0.0;
      // Diagonal in blue, errors in red; intensity by row fraction (errors boosted to stay visible).
      const double a = t == p ? f : std::min(1.0, std::sqrt(f) * 1.5);
      const cv::Scalar color = t == p ? cv::Scalar(255, 255 - 150 * a, 255 - 200 * a) : cv::Scalar(255 - 200 * a, 255 - 200 * a, 255);
      const cv::Rect rc(left + p * cell, top + t * cell, cell, cell);
      cv::rectangle(img, rc, color, cv::FILLED);
      cv::rectangle(img, rc, cv::Scalar(200, 200, 200), 1);
      if (v > 0 && cell >= 24) {
        const std::string s = std::to_string(v);
        int base = 0;
        const cv::Size ts = cv::getTextSize(s, font, 0.4, 1, &base);
        cv::putText(img, s, {rc.x + (cell - ts.width) / 2, rc.y + (cell + ts.height) / 2}, font, 0.4, cv::Scalar(0, 0, 0), 1,
                    cv::LINE_AA);
      }
    }
  }
  return img;
}

Status write_confusion_png(const EvalResult& r, const std::string& title, const std::filesystem::path& png) {
  std::vector<uchar> bytes;
  if (!cv::imencode(".png", render_confusion(r, title), bytes)) return Status::io("cannot encode the confusion matrix PNG");
  if (png.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(png.parent_path(), ec);
  }
  return nn::write_file_atomic(png, std::as_bytes(std::span<const uchar>(bytes)));
}

}  // namespace cvpipe::classify
