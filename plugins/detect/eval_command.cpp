// Command `eval`: see commands.hpp.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <span>

#include <nlohmann/json.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "average_precision.hpp"
#include "coco.hpp"
#include "commands.hpp"
#include "cvpipe/image_file.hpp"
#include "cvpipe/nn/safetensors.hpp"
#include "cvpipe/progress.hpp"
#include "detector.hpp"

namespace cvpipe::detect {

namespace {

double round4(double v) { return std::isfinite(v) ? std::round(v * 1e4) / 1e4 : 0.0; }

void draw_boxes(cv::Mat& img, const std::vector<std::pair<cv::Rect2f, std::string>>& boxes, const cv::Scalar& color) {
  for (const auto& [b, text] : boxes) {
    const cv::Rect r(cvRound(b.x), cvRound(b.y), std::max(1, cvRound(b.width)), std::max(1, cvRound(b.height)));
    cv::rectangle(img, r, color, 2, cv::LINE_AA);
    cv::putText(img, text, cv::Point(r.x, std::max(12, r.y - 3)), cv::FONT_HERSHEY_SIMPLEX, 0.45, color, 1, cv::LINE_AA);
  }
}

// Ground truth (green, left) beside the predictions (red, right), written to dir/<image stem>.jpg.
Status save_comparison(const std::filesystem::path& dir, const std::string& file_name, const cv::Mat& image,
                       const std::vector<std::pair<cv::Rect2f, std::string>>& truth,
                       const std::vector<std::pair<cv::Rect2f, std::string>>& predicted) {
  cv::Mat left = image.clone(), right = image.clone();  // 8-bit BGR (read as colour)
  draw_boxes(left, truth, cv::Scalar(60, 220, 60));
  draw_boxes(right, predicted, cv::Scalar(40, 40, 255));
  cv::putText(left, "ground truth", {6, 18}, cv::FONT_HERSHEY_SIMPLEX, 0.55, cv::Scalar(60, 220, 60), 2, cv::LINE_AA);
  cv::putText(right, "predicted", {6, 18}, cv::FONT_HERSHEY_SIMPLEX, 0.55, cv::Scalar(40, 40, 255), 2, cv::LINE_AA);
  cv::Mat both;
  cv::hconcat(left, right, both);
  std::vector<uchar> bytes;
  cv::imencode(".jpg", both, bytes, {cv::IMWRITE_JPEG_QUALITY, 90});
  const std::filesystem::path out = dir / (std::filesystem::path(file_name).stem().string() + ".jpg");
  std::error_code ec;
  std::filesystem::create_directories(out.parent_path(), ec);
  return nn::write_file_atomic(out, std::as_bytes(std::span<const uchar>(bytes)), false);
}

Status eval_impl(const Params& p, const CommandContext& ctx, std::string& output) {
  if (ctx.threads > 0) cv::setNumThreads(ctx.threads);
  CocoDataset data;
  CVPIPE_RETURN_IF_ERROR(read_coco(p.get_string("data"), data));
  DetectorOptions options;
  CVPIPE_RETURN_IF_ERROR(parse_detector_options(p, options));
  ObjectDetector detector;
  CVPIPE_RETURN_IF_ERROR(detector.configure(options));
  // The detector's classes map to the dataset's categories by name.
  std::vector<int> to_category;
  bool any = false;
  for (const auto& name : detector.class_names()) {
    int c = -1;
    for (size_t i = 0; i < data.categories.size(); ++i)
      if (data.categories[i].name == name) c = static_cast<int>(i);
    to_category.push_back(c);
    any |= c >= 0;
  }
  if (!any) {
    std::string det, cats;
    for (const auto& n : detector.class_names()) det += (det.empty() ? "" : ", ") + n;
    for (const auto& c : data.categories) cats += (cats.empty() ? "" : ", ") + c.name;
    return Status::invalid("the detector's classes (" + det + ") match none of the dataset's categories (" + cats + ")");
  }
  const int64_t limit = p.get_int("limit");
  const size_t n = limit > 0 ? std::min<size_t>(data.images.size(), static_cast<size_t>(limit)) : data.images.size();
  if (n == 0) return Status::invalid(p.get_string("data") + ": the dataset has no images");
  const auto by_image = data.annotations_by_image();
  const std::filesystem::path save = p.get_string("save");
  std::vector<ImageResult> results(n);
  double seconds = 0.0;
  ProgressBar bar({ProgressBar::terminal_enabled(ctx.quiet), "eval", static_cast<int64_t>(n), "images"});
  for (size_t i = 0; i < n; ++i) {
    const CocoImage& im = data.images[i];
    cv::Mat image;
    CVPIPE_RETURN_IF_ERROR(read_image(data.image_path(im), cv::IMREAD_COLOR, image));
    std::vector<Detection> found;
    const auto t0 = std::chrono::steady_clock::now();
    Status st = detector.detect(image, found);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!st.ok()) return Status(st.code(), data.image_path(im).string() + ": " + st.message());
    std::vector<std::pair<cv::Rect2f, std::string>> truth_drawn, pred_drawn;
    for (const auto* a : by_image[i]) {
      const int c = data.class_index(a->category_id);
      results[i].truth.push_back({a->bbox, c, a->iscrowd});
      truth_drawn.emplace_back(a->bbox, data.categories[c].name);
    }
    for (const auto& d : found) {
      const int c = d.class_id >= 0 && d.class_id < static_cast<int>(to_category.size()) ? to_category[d.class_id] : -1;
      results[i].predictions.push_back({d.box, c, d.score});
      char score[16];
      std::snprintf(score, sizeof score, " %.2f", static_cast<double>(d.score));
      pred_drawn.emplace_back(d.box, d.label + score);
    }
    if (!save.empty()) CVPIPE_RETURN_IF_ERROR(save_comparison(save, im.file_name, image, truth_drawn, pred_drawn));
    bar.update(static_cast<int64_t>(i + 1));
  }
  bar.finish();
  const DetectionMetrics m = evaluate_detections(results, static_cast<int>(data.categories.size()));
  nlohmann::ordered_json j;
  j["map50"] = round4(m.map50);
  j["map50_95"] = round4(m.map50_95);
  j["precision"] = round4(m.precision);
  j["recall"] = round4(m.recall);
  j["ms_per_image"] = std::round(seconds * 1000.0 / n * 100.0) / 100.0;
  j["n"] = n;
  j["backend"] = options.backend;
  j["data"] = data.root.string();
  j["boxes"] = m.truth_boxes;
  j["predictions"] = m.predictions;
  auto per_class = nlohmann::ordered_json::object();
  for (size_t c = 0; c < data.categories.size(); ++c)
    if (m.ap50[c] >= 0) per_class[data.categories[c].name] = {{"ap50", round4(m.ap50[c])}, {"ap50_95", round4(m.ap50_95[c])}};
  j["per_class"] = std::move(per_class);
  output = j.dump();
  return {};
}

}  // namespace

std::vector<ParamSpec> eval_params() {
  std::vector<ParamSpec> p = {
      ParamSpec::path("data", std::nullopt, true, "a COCO folder: images/ and annotations.json"),
      ParamSpec::path("save", std::string(), false, "write each image with ground truth (left) beside predictions (right) here"),
      ParamSpec::integer("limit", 0, 0, 1e9, "evaluate the first N images only (0: all)"),
  };
  for (auto& s : detector_params()) p.push_back(std::move(s));
  return p;
}

Status run_eval(const Params& params, const CommandContext& ctx, std::string& output) {
  return guard([&] { return eval_impl(params, ctx, output); });
}

}  // namespace cvpipe::detect
