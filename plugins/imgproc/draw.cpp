// Stage `draw`: see draw.hpp.
#include "draw.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common.hpp"

namespace cvpipe::imgproc {

namespace {

// A fixed palette (BGR, 8-bit) so a class keeps its colour across frames and runs.
cv::Scalar class_color(int class_id) {
  static const cv::Scalar palette[] = {{56, 56, 255}, {151, 157, 255}, {31, 112, 255}, {29, 178, 255}, {49, 210, 207},
                                       {10, 249, 72},  {23, 204, 146},  {134, 219, 61}, {52, 147, 26},  {187, 212, 0},
                                       {168, 153, 44}, {255, 194, 0},   {147, 69, 52},  {255, 115, 100}, {236, 24, 0},
                                       {255, 56, 132}, {133, 0, 82},    {255, 56, 203}, {200, 149, 255}, {199, 55, 255}};
  const int n = static_cast<int>(sizeof palette / sizeof palette[0]);
  return palette[((class_id % n) + n) % n];
}

std::string tag(const std::string& name, int id, float score, bool with_score) {
  std::string s = name.empty() ? std::to_string(id) : name;
  if (with_score) {
    char buf[16];
    std::snprintf(buf, sizeof buf, " %.2f", static_cast<double>(score));
    s += buf;
  }
  return s;
}

// Text on a filled box whose top-left corner is `at` (clamped inside the image).
void put_tag(cv::Mat& img, const std::string& text, cv::Point at, const cv::Scalar& bg, double scale, int thickness,
             double white) {
  int baseline = 0;
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  const int t = std::max(1, thickness / 2);
  const cv::Size ts = cv::getTextSize(text, font, scale, t, &baseline);
  const int w = ts.width + 4, h = ts.height + baseline + 4;
  at.x = std::clamp(at.x, 0, std::max(0, img.cols - w));
  at.y = std::clamp(at.y, 0, std::max(0, img.rows - h));
  cv::rectangle(img, cv::Rect(at.x, at.y, w, h), bg, cv::FILLED);
  cv::putText(img, text, cv::Point(at.x + 2, at.y + 2 + ts.height), font, scale, cv::Scalar::all(white), t, cv::LINE_AA);
}

}  // namespace

std::vector<ParamSpec> Draw::params() {
  return {
      ParamSpec::integer("thickness", 2, 1, 50, "box line width in pixels"),
      ParamSpec::number("font_scale", 0.5, 0.1, 10.0, "text size (OpenCV Hershey font scale)"),
      ParamSpec::boolean("scores", true, "append scores to label text"),
      ParamSpec::boolean("boxes", true, "draw detections"),
      ParamSpec::boolean("labels", true, "draw the top label in the top-left corner"),
  };
}

Status Draw::configure(const Params& p, const StageContext&) {
  thickness_ = static_cast<int>(p.get_int("thickness"));
  font_scale_ = p.get_number("font_scale");
  scores_ = p.get_bool("scores");
  boxes_ = p.get_bool("boxes");
  labels_ = p.get_bool("labels");
  return {};
}

Status Draw::open(const StreamInfo& in, StreamInfo& out) {
  out = in;
  if (in.type >= 0 && CV_MAT_CN(in.type) == 1) out.type = CV_MAKETYPE(CV_MAT_DEPTH(in.type), 3);
  return {};
}

Status Draw::process(Frame& f) {
  CVPIPE_RETURN_IF_ERROR(check_image(f, "draw"));
  const bool any_box = boxes_ && !f.detections.empty();
  const bool any_label = labels_ && !f.labels.empty();
  if (!any_box && !any_label) return {};
  return guard([&]() -> Status {
    cv::Mat img;
    if (f.image.channels() == 1) cv::cvtColor(f.image, img, cv::COLOR_GRAY2BGR);
    else if (f.image.channels() == 4) cv::cvtColor(f.image, img, cv::COLOR_BGRA2BGR);
    else img = f.image.clone();
    const double white = white_of(img.depth());
    const double k = white / 255.0;
    if (any_box) {
      for (const auto& d : f.detections) {
        // A tracked object keeps its colour and shows its id: "#7 person 0.91".
        const cv::Scalar c = class_color(d.track_id >= 0 ? d.track_id : d.class_id) * k;
        const cv::Rect r(cvRound(d.box.x), cvRound(d.box.y), std::max(1, cvRound(d.box.width)), std::max(1, cvRound(d.box.height)));
        cv::rectangle(img, r, c, thickness_, cv::LINE_AA);
        int baseline = 0;
        const std::string text =
            (d.track_id >= 0 ? "#" + std::to_string(d.track_id) + " " : std::string()) + tag(d.label, d.class_id, d.score, scores_);
        const cv::Size ts = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, font_scale_, std::max(1, thickness_ / 2), &baseline);
        const int above = r.y - ts.height - baseline - 4;
        put_tag(img, text, cv::Point(r.x, above >= 0 ? above : r.y), c, font_scale_, thickness_, white);
      }
    }
    if (any_label) {
      const auto& l = f.labels.front();
      put_tag(img, tag(l.name, l.id, l.score, scores_), cv::Point(4, 4), cv::Scalar::all(0.2 * white), font_scale_ * 1.4,
              thickness_, white);
    }
    f.image = img;
    return {};
  }, "draw");
}

}  // namespace cvpipe::imgproc
