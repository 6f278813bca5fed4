// Preprocessing: picture -> model input. See include/cvpipe/classify/preprocess.hpp for the steps.
#include "cvpipe/classify/preprocess.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace cvpipe::classify {

namespace {

// Pictures larger than this (longer side) are shrunk before the digit analysis: the result is a
// 20x20 cell, so nothing is lost, and huge photos stay cheap.
constexpr int kAnalysisSide = 256;

float median_of(std::vector<float>& v) {
  if (v.empty()) return 0.f;
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

std::vector<float> border_values(const cv::Mat& g) {
  const int bw = std::max(1, g.cols / 20), bh = std::max(1, g.rows / 20);
  std::vector<float> v;
  v.reserve(static_cast<std::size_t>(2 * (bw * g.rows + bh * g.cols)));
  for (int y = 0; y < g.rows; ++y) {
    const float* row = g.ptr<float>(y);
    const bool edge_row = y < bh || y >= g.rows - bh;
    for (int x = 0; x < g.cols; ++x)
      if (edge_row || x < bw || x >= g.cols - bw) v.push_back(row[x]);
  }
  return v;
}

}  // namespace

Status to_unit(const cv::Mat& image, int channels, cv::Mat& out) {
  if (image.empty()) return Status::invalid("empty image");
  if (channels != 1 && channels != 3) return Status::invalid("channels must be 1 or 3");
  double scale = 1.0;
  switch (image.depth()) {
    case CV_8U: scale = 1.0 / 255.0; break;
    case CV_16U: scale = 1.0 / 65535.0; break;
    case CV_32F:
    case CV_64F: scale = 1.0; break;
    default:
      return Status::unsupported("image depth " + std::to_string(image.depth()) +
                                 " is not supported (use 8-bit, 16-bit unsigned or float images)");
  }
  cv::Mat f;
  image.convertTo(f, CV_32F, scale);
  const int c = f.channels();
  if (c != 1 && c != 3 && c != 4)
    return Status::unsupported("images with " + std::to_string(c) + " channels are not supported (use 1, 3 or 4)");
  if (channels == 1) {
    if (c == 3) cv::cvtColor(f, f, cv::COLOR_BGR2GRAY);
    else if (c == 4) cv::cvtColor(f, f, cv::COLOR_BGRA2GRAY);
  } else {
    if (c == 1) cv::cvtColor(f, f, cv::COLOR_GRAY2BGR);
    else if (c == 4) cv::cvtColor(f, f, cv::COLOR_BGRA2BGR);
  }
  // Float inputs may stray outside [0, 1]; NaN becomes 0.
  cv::patchNaNs(f, 0.0);
  cv::min(cv::max(f, 0.0), 1.0, out);
  return {};
}

bool dark_on_light(const cv::Mat& gray) {
  CV_Assert(gray.type() == CV_32FC1 && !gray.empty());
  double lo = 0, hi = 0;
  cv::minMaxLoc(gray, &lo, &hi);
  if (hi - lo < 1e-6) return false;
  // Ink covers the smaller part of a picture of one character: split the gray levels with Otsu's
  // threshold and see which side is the minority. A tie falls back to the border (paper).
  cv::Mat g8, mask;
  gray.convertTo(g8, CV_8U, 255.0 / (hi - lo), -255.0 * lo / (hi - lo));
  cv::threshold(g8, mask, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  const int light = cv::countNonZero(mask), total = static_cast<int>(mask.total());
  if (2 * light != total) return 2 * light > total;
  auto border = border_values(gray);
  return median_of(border) > cv::mean(gray)[0];
}

bool is_digit_cell(const cv::Mat& gray) {
  CV_Assert(gray.type() == CV_32FC1 && !gray.empty());
  const int side = std::max(gray.cols, gray.rows);
  if (side < 8 || std::abs(gray.cols - gray.rows) > std::max(1, side / 20)) return false;
  // Black paper: the border is background (digits.png: median 0 in every cell).
  auto border = border_values(gray);
  if (median_of(border) > 0.05f) return false;
  double lo = 0, hi = 0;
  cv::minMaxLoc(gray, &lo, &hi);
  if (hi < 0.2) return false;  // no ink
  if (dark_on_light(gray)) return false;
  // Framing: the Otsu ink box's longer side and the centre of mass, relative to the side
  // (digits.png: 10-15 px of 20, i.e. 0.50-0.75; centre 9.47-10.25 px, i.e. 0.497-0.537).
  cv::Mat g8, mask;
  gray.convertTo(g8, CV_8U, 255.0);
  cv::threshold(g8, mask, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  const cv::Rect box = cv::boundingRect(mask);
  const double extent = static_cast<double>(std::max(box.width, box.height)) / side;
  if (extent < 0.45 || extent > 0.8) return false;
  const cv::Moments m = cv::moments(gray);
  if (m.m00 <= 1e-6) return false;
  const double centre = (kDigitCentre + 0.5) / kDigitCell;
  const double cx = (m.m10 / m.m00 + 0.5) / gray.cols, cy = (m.m01 / m.m00 + 0.5) / gray.rows;
  return std::abs(cx - centre) <= 0.05 && std::abs(cy - centre) <= 0.05;
}

cv::Mat normalize_digit(const cv::Mat& gray_in) {
  CV_Assert(gray_in.type() == CV_32FC1 && !gray_in.empty());
  if (is_digit_cell(gray_in)) {
    if (gray_in.cols == kDigitCell && gray_in.rows == kDigitCell) return gray_in.clone();
    cv::Mat resized;
    cv::resize(gray_in, resized, cv::Size(kDigitCell, kDigitCell), 0, 0,
               gray_in.cols > kDigitCell ? cv::INTER_AREA : cv::INTER_LINEAR);
    return resized;
  }
  cv::Mat cell = cv::Mat::zeros(kDigitCell, kDigitCell, CV_32FC1);
  cv::Mat g;
  const int longer = std::max(gray_in.cols, gray_in.rows);
  if (longer > kAnalysisSide) {
    const double s = static_cast<double>(kAnalysisSide) / longer;
    cv::resize(gray_in, g, cv::Size(std::max(1, cvRound(gray_in.cols * s)), std::max(1, cvRound(gray_in.rows * s))), 0, 0,
               cv::INTER_AREA);
  } else {
    g = gray_in.clone();
  }
  // a. polarity
  if (dark_on_light(g)) g = 1.0 - g;
  // b. background: subtract the border median, then find the ink.
  auto border = border_values(g);
  const float bg = median_of(border);
  g = g - bg;
  cv::max(g, 0.0, g);
  double max_v = 0;
  cv::minMaxLoc(g, nullptr, &max_v);
  if (max_v < 0.04) return cell;  // blank: no ink (less than ~10 gray levels above the background)
  cv::Mat g8;
  g.convertTo(g8, CV_8U, 255.0 / max_v);
  cv::Mat mask;
  const double t = cv::threshold(g8, mask, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
  // Which components are ink: grid lines and page edges touch the picture's border, so when a
  // sizeable component (10% of the largest) does not, only the inner ones count; then specks
  // (under 2% of the largest remaining one) are dropped.
  const int tol = std::max(1, std::max(mask.cols, mask.rows) / 50);  // "touching": within 2%
  auto touches_border = [&](int i) {
    const int x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
    return x < tol || y < tol || x + stats.at<int>(i, cv::CC_STAT_WIDTH) > mask.cols - tol ||
           y + stats.at<int>(i, cv::CC_STAT_HEIGHT) > mask.rows - tol;
  };
  int largest_any = 0;
  for (int i = 1; i < n; ++i) largest_any = std::max(largest_any, stats.at<int>(i, cv::CC_STAT_AREA));
  bool any_inner = false;
  for (int i = 1; i < n; ++i) any_inner |= !touches_border(i) && stats.at<int>(i, cv::CC_STAT_AREA) * 10 >= largest_any;
  int largest = 0;
  for (int i = 1; i < n; ++i)
    if (!any_inner || !touches_border(i)) largest = std::max(largest, stats.at<int>(i, cv::CC_STAT_AREA));
  if (largest == 0) return cell;
  std::vector<char> is_ink(static_cast<std::size_t>(n), 0);
  cv::Rect box;
  for (int i = 1; i < n; ++i) {
    if ((any_inner && touches_border(i)) || stats.at<int>(i, cv::CC_STAT_AREA) * 50 < largest) continue;
    is_ink[static_cast<std::size_t>(i)] = 1;
    const cv::Rect r(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                     stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    box = box.area() == 0 ? r : (box | r);
  }
  // Contrast: the soft edge starts at half the threshold; the ink core (95th percentile of the
  // ink pixels) maps to 1.
  cv::Mat gs;
  g.convertTo(gs, CV_32F, 1.0 / max_v);
  std::vector<float> ink;
  cv::Mat keep = cv::Mat::zeros(mask.size(), CV_8UC1);
  for (int y = 0; y < labels.rows; ++y) {
    const int* l = labels.ptr<int>(y);
    uchar* k = keep.ptr<uchar>(y);
    const float* r = gs.ptr<float>(y);
    for (int x = 0; x < labels.cols; ++x) {
      if (!is_ink[static_cast<std::size_t>(l[x])]) continue;
      k[x] = 255;
      ink.push_back(r[x]);
    }
  }
  std::sort(ink.begin(), ink.end());
  const float hi = ink.empty() ? 1.f : ink[std::min(ink.size() - 1, ink.size() * 95 / 100)];
  const float lo = static_cast<float>(0.5 * t / 255.0);
  // Keep the ink and its soft edge only (drops specks and whatever else is on the page).
  cv::dilate(keep, keep, cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5}));
  cv::Mat clean = cv::Mat::zeros(gs.size(), CV_32FC1);
  gs.copyTo(clean, keep);
  clean = (clean - lo) * (1.0 / std::max(1e-3f, hi - lo));
  cv::min(cv::max(clean, 0.0), 1.0, clean);
  // c. scale so the ink box's longer side is kDigitBox, then centre by mass.
  const int margin = 2 + std::max(box.width, box.height) / 5;
  const cv::Rect region = cv::Rect(box.x - margin, box.y - margin, box.width + 2 * margin, box.height + 2 * margin) &
                          cv::Rect(0, 0, clean.cols, clean.rows);
  const double s = kDigitBox / std::max(box.width, box.height);
  const cv::Size sz(std::max(1, cvRound(region.width * s)), std::max(1, cvRound(region.height * s)));
  cv::Mat scaled;
  cv::resize(clean(region), scaled, sz, 0, 0, s < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  const cv::Moments m = cv::moments(scaled);
  if (m.m00 <= 1e-6) return cell;
  const double cx = m.m10 / m.m00, cy = m.m01 / m.m00;
  const cv::Matx23d shift(1, 0, kDigitCentre - cx, 0, 1, kDigitCentre - cy);
  cv::warpAffine(scaled, cell, shift, cell.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
  return cell;
}

cv::Mat fit_to_input(const cv::Mat& unit, int width, int height, const std::string& fit) {
  CV_Assert(!unit.empty() && width > 0 && height > 0);
  if (unit.cols == width && unit.rows == height) return unit;
  if (fit == "resize") {
    cv::Mat out;
    cv::resize(unit, out, cv::Size(width, height), 0, 0,
               unit.cols > width || unit.rows > height ? cv::INTER_AREA : cv::INTER_LINEAR);
    return out;
  }
  cv::Mat placed = unit;
  if (fit == "letterbox" || unit.cols > width || unit.rows > height) {
    const double s = std::min(static_cast<double>(width) / unit.cols, static_cast<double>(height) / unit.rows);
    const cv::Size sz(std::clamp(cvRound(unit.cols * s), 1, width), std::clamp(cvRound(unit.rows * s), 1, height));
    cv::resize(unit, placed, sz, 0, 0, s < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  }
  cv::Mat out = cv::Mat::zeros(height, width, unit.type());
  const int x = (width - placed.cols) / 2, y = (height - placed.rows) / 2;
  placed.copyTo(out(cv::Rect(x, y, placed.cols, placed.rows)));
  return out;
}

Status prepare_image(const cv::Mat& image, const ModelSpec& spec, InputMode mode, cv::Mat& out) {
  cv::Mat unit;
  if (spec.domain == "digits" && mode == InputMode::automatic) {
    cv::Mat gray;
    CVPIPE_RETURN_IF_ERROR(to_unit(image, 1, gray));
    unit = spec.polarity == "white_on_black" ? normalize_digit(gray) : gray;
    if (spec.input_channels == 3) cv::cvtColor(unit, unit, cv::COLOR_GRAY2BGR);
  } else {
    CVPIPE_RETURN_IF_ERROR(to_unit(image, spec.input_channels, unit));
  }
  out = fit_to_input(unit, spec.input_width, spec.input_height, spec.fit);
  return {};
}

Status prepare_input(const cv::Mat& image, const ModelSpec& spec, InputMode mode, float* dst) {
  cv::Mat img;
  CVPIPE_RETURN_IF_ERROR(prepare_image(image, spec, mode, img));
  const int c = spec.input_channels, h = spec.input_height, w = spec.input_width;
  const std::size_t plane = static_cast<std::size_t>(h) * static_cast<std::size_t>(w);
  for (int y = 0; y < h; ++y) {
    const float* row = img.ptr<float>(y);
    for (int x = 0; x < w; ++x)
      for (int k = 0; k < c; ++k)
        dst[static_cast<std::size_t>(k) * plane + static_cast<std::size_t>(y) * w + x] =
            (row[x * c + k] - spec.mean[k]) / spec.std[k];
  }
  return {};
}

}  // namespace cvpipe::classify
