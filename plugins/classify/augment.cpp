// Training augmentation: affine + elastic warps, stroke width (see augment.hpp).
#include "augment.hpp"

#include <cmath>

#include <opencv2/imgproc.hpp>

namespace cvpipe::classify {

namespace {

// Thicker (t > 0) or thinner (t < 0) bright strokes: out = img + |t| * (morph(img) - img).
cv::Mat change_stroke(const cv::Mat& img, double t) {
  static const cv::Mat cross = cv::getStructuringElement(cv::MORPH_CROSS, cv::Size(3, 3));
  cv::Mat m;
  if (t > 0) cv::dilate(img, m, cross, cv::Point(-1, -1), 1, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  else cv::erode(img, m, cross, cv::Point(-1, -1), 1, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  cv::Mat out;
  cv::addWeighted(img, 1.0 - std::abs(t), m, std::abs(t), 0.0, out);
  return out;
}

}  // namespace

cv::Mat augment_image(const cv::Mat& image, const AugmentOptions& o, nn::Rng& rng) {
  CV_Assert(!image.empty() && image.depth() == CV_32F);
  const double w = image.cols, h = image.rows;
  const double angle = o.degrees > 0 ? nn::uniform(rng, -o.degrees, o.degrees) * CV_PI / 180.0 : 0.0;
  const double s = o.scale > 0 ? nn::uniform(rng, 1.0 - o.scale, 1.0 + o.scale) : 1.0;
  const double sh = o.shear > 0 ? nn::uniform(rng, -o.shear, o.shear) : 0.0;
  const double tx = o.translate > 0 ? nn::uniform(rng, -o.translate, o.translate) * w : 0.0;
  const double ty = o.translate > 0 ? nn::uniform(rng, -o.translate, o.translate) * h : 0.0;
  // Forward map about the centre c: p' = R * S * Sh * (p - c) + c + t.
  const double ca = std::cos(angle) * s, sa = std::sin(angle) * s;
  const double a00 = ca, a01 = ca * sh - sa, a10 = sa, a11 = sa * sh + ca;
  const double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
  const cv::Matx23d m(a00, a01, cx + tx - a00 * cx - a01 * cy, a10, a11, cy + ty - a10 * cx - a11 * cy);
  cv::Mat out;
  if (o.elastic <= 0) {
    cv::warpAffine(image, out, m, image.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    return o.stroke > 0 ? change_stroke(out, nn::uniform(rng, -o.stroke, o.stroke)) : out;
  }
  // Elastic: compose the inverse affine map with a smooth random displacement field.
  cv::Mat dx(image.size(), CV_32F), dy(image.size(), CV_32F);
  for (int y = 0; y < image.rows; ++y)
    for (int x = 0; x < image.cols; ++x) {
      dx.at<float>(y, x) = static_cast<float>(nn::uniform(rng, -1.0, 1.0));
      dy.at<float>(y, x) = static_cast<float>(nn::uniform(rng, -1.0, 1.0));
    }
  cv::GaussianBlur(dx, dx, cv::Size(0, 0), o.elastic_sigma, 0, cv::BORDER_REFLECT_101);
  cv::GaussianBlur(dy, dy, cv::Size(0, 0), o.elastic_sigma, 0, cv::BORDER_REFLECT_101);
  double mx = 0, my = 0;
  cv::minMaxLoc(cv::abs(dx), nullptr, &mx);
  cv::minMaxLoc(cv::abs(dy), nullptr, &my);
  const double norm = o.elastic / std::max(1e-6, std::max(mx, my));
  cv::Matx23d inv;
  cv::invertAffineTransform(m, inv);
  cv::Mat map_x(image.size(), CV_32F), map_y(image.size(), CV_32F);
  for (int y = 0; y < image.rows; ++y)
    for (int x = 0; x < image.cols; ++x) {
      const double px = x + dx.at<float>(y, x) * norm, py = y + dy.at<float>(y, x) * norm;
      map_x.at<float>(y, x) = static_cast<float>(inv(0, 0) * px + inv(0, 1) * py + inv(0, 2));
      map_y.at<float>(y, x) = static_cast<float>(inv(1, 0) * px + inv(1, 1) * py + inv(1, 2));
    }
  cv::remap(image, out, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  return o.stroke > 0 ? change_stroke(out, nn::uniform(rng, -o.stroke, o.stroke)) : out;
}

}  // namespace cvpipe::classify
