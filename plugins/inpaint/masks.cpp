// Hole masks; see masks.hpp.
#include "masks.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include <opencv2/imgproc.hpp>

namespace cvpipe::inpaint {

namespace fs = std::filesystem;

double coverage(const cv::Mat& mask) {
  return mask.empty() ? 0.0 : static_cast<double>(cv::countNonZero(mask)) / static_cast<double>(mask.total());
}

namespace {

int rand_int(nn::Rng& rng, int lo, int hi) { return static_cast<int>(nn::uniform_int(rng, lo, hi)); }

// Draws one shape, its size multiplied by `scale` (<= 1 when retrying smaller).
void draw_shape(cv::Mat& m, nn::Rng& rng, double scale) {
  const int w = m.cols, h = m.rows;
  const double kind = nn::uniform01(rng);
  auto s = [&](int lo, int hi) { return std::max(1, static_cast<int>(std::lround(rand_int(rng, lo, hi) * scale))); };
  if (kind < 0.3) {  // box
    const int bw = std::min(w, s(12, 48)), bh = std::min(h, s(12, 48));
    const int x = rand_int(rng, 0, w - bw), y = rand_int(rng, 0, h - bh);
    cv::rectangle(m, cv::Rect(x, y, bw, bh), cv::Scalar(255), cv::FILLED);
  } else if (kind < 0.8) {  // brush stroke: a polyline of 2-5 segments
    const int thick = std::max(3, s(3, 12));
    cv::Point p(rand_int(rng, 0, w - 1), rand_int(rng, 0, h - 1));
    const int segments = rand_int(rng, 2, 5);
    double angle = nn::uniform(rng, 0, 2 * CV_PI);
    for (int i = 0; i < segments; ++i) {
      angle += nn::uniform(rng, -1.2, 1.2);
      const double len = s(10, 40);
      cv::Point q(static_cast<int>(std::lround(p.x + len * std::cos(angle))), static_cast<int>(std::lround(p.y + len * std::sin(angle))));
      q.x = std::clamp(q.x, 0, w - 1);
      q.y = std::clamp(q.y, 0, h - 1);
      cv::line(m, p, q, cv::Scalar(255), thick, cv::LINE_8);
      p = q;
    }
  } else {  // blob
    const cv::Point c(rand_int(rng, 0, w - 1), rand_int(rng, 0, h - 1));
    const cv::Size axes(s(6, 24), s(6, 24));
    cv::ellipse(m, c, axes, nn::uniform(rng, 0, 180), 0, 360, cv::Scalar(255), cv::FILLED);
  }
}

}  // namespace

cv::Mat random_mask(cv::Size size, const MaskOptions& o, nn::Rng& rng) {
  cv::Mat mask = cv::Mat::zeros(size, CV_8UC1);
  if (size.area() == 0) return mask;
  const double target = nn::uniform(rng, o.min_coverage, o.max_coverage);
  const double total = static_cast<double>(size.area());
  int holes = 0;
  // Each shape covers at most ~2300 pixels: the loop is bounded by the target area.
  const int max_shapes = 64 + static_cast<int>(target * total / 20.0);
  for (int n = 0; n < max_shapes && holes < target * total; ++n) {
    cv::Mat next;
    bool placed = false;
    for (double scale = 1.0; scale > 0.1 && !placed; scale *= 0.6) {
      mask.copyTo(next);
      draw_shape(next, rng, scale);
      const int count = cv::countNonZero(next);
      if (count <= o.max_coverage * total) {
        placed = true;
        holes = count;
      }
    }
    if (placed) next.copyTo(mask);
  }
  return mask;
}

cv::Mat color_mask(const cv::Mat& image, const cv::Scalar& bgr, int tolerance) {
  const double scale = image.depth() == CV_16U ? 257.0 : 1.0;
  const double t = tolerance * scale;
  cv::Mat body = image, mask;
  if (image.channels() == 4) cv::cvtColor(image, body, cv::COLOR_BGRA2BGR);
  if (body.channels() == 1) {
    cv::inRange(body, cv::Scalar(bgr[0] * scale - t), cv::Scalar(bgr[0] * scale + t), mask);
  } else {
    cv::inRange(body, cv::Scalar(bgr[0] * scale - t, bgr[1] * scale - t, bgr[2] * scale - t),
                cv::Scalar(bgr[0] * scale + t, bgr[1] * scale + t, bgr[2] * scale + t), mask);
  }
  return mask;
}

Status parse_color(const std::string& text, cv::Scalar& out) {
  static const std::pair<const char*, cv::Scalar> names[] = {
      {"magenta", {255, 0, 255}}, {"green", {0, 255, 0}}, {"red", {0, 0, 255}},
      {"blue", {255, 0, 0}},      {"white", {255, 255, 255}}, {"black", {0, 0, 0}}};
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const auto& [name, value] : names) {
    if (lower == name) {
      out = value;
      return {};
    }
  }
  std::vector<int> values;
  std::stringstream ss(text);
  std::string part;
  const Status bad = Status::invalid("mask_color '" + text + "' must be 'B,G,R' (0..255 each) or one of magenta, green, red, blue, white, black");
  while (std::getline(ss, part, ',')) {
    const auto b = part.find_first_not_of(" \t"), e = part.find_last_not_of(" \t");
    if (b == std::string::npos) return bad;
    part = part.substr(b, e - b + 1);
    if (part.size() > 3 || part.find_first_not_of("0123456789") != std::string::npos) return bad;
    values.push_back(std::stoi(part));
    if (values.back() > 255) return bad;
  }
  if (values.size() != 3) return bad;
  out = cv::Scalar(values[0], values[1], values[2]);
  return {};
}

cv::Mat detection_mask(cv::Size size, const std::vector<Detection>& detections, const std::vector<std::string>& classes) {
  cv::Mat mask = cv::Mat::zeros(size, CV_8UC1);
  const cv::Rect image(0, 0, size.width, size.height);
  for (const auto& d : detections) {
    if (!classes.empty()) {
      const bool wanted = std::any_of(classes.begin(), classes.end(), [&](const std::string& c) {
        return c == d.label || c == std::to_string(d.class_id);
      });
      if (!wanted) continue;
    }
    const int x0 = static_cast<int>(std::floor(d.box.x)), y0 = static_cast<int>(std::floor(d.box.y));
    const int x1 = static_cast<int>(std::ceil(d.box.x + d.box.width)), y1 = static_cast<int>(std::ceil(d.box.y + d.box.height));
    const cv::Rect r = cv::Rect(x0, y0, x1 - x0, y1 - y0) & image;
    if (r.area() > 0) mask(r).setTo(255);
  }
  return mask;
}

cv::Mat binarize(const cv::Mat& mask) {
  cv::Mat gray = mask, out;
  if (mask.channels() > 1) {
    // Non-zero in any channel counts (a pure-blue mark is a hole too).
    std::vector<cv::Mat> planes;
    cv::split(mask, planes);
    gray = cv::Mat::zeros(mask.size(), planes[0].type());
    for (const auto& p : planes) cv::max(gray, p, gray);
  }
  cv::compare(gray, 0, out, cv::CMP_NE);
  return out;
}

Status find_mask_file(const fs::path& dir, const std::string& source, fs::path& out) {
  static const char* exts[] = {".png", ".bmp", ".tif", ".tiff", ".pgm", ".ppm", ".jpg", ".jpeg", ".PNG", ".JPG"};
  const std::string stem = fs::path(source).stem().string();
  if (stem.empty()) return Status::invalid("mask: the frame has no file name, so no mask file can be matched (use mask: plane, color or detections)");
  std::error_code ec;
  for (const char* ext : exts) {
    const fs::path candidate = dir / (stem + ext);
    if (fs::is_regular_file(candidate, ec)) {
      out = candidate;
      return {};
    }
  }
  return Status::not_found("mask: no mask file for '" + source + "' in '" + dir.string() + "' (expected " +
                           (dir / (stem + ".png")).string() + " or another image file named " + stem + ".*)");
}

}  // namespace cvpipe::inpaint
