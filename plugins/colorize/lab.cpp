// CIE Lab helpers; see lab.hpp.
#include "lab.hpp"

#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace cvpipe::colorize {

Status to_lab(const cv::Mat& image, cv::Mat& lab) {
  if (image.empty()) return Status::invalid("colorize: empty image");
  const int depth = image.depth(), ch = image.channels();
  if (depth != CV_8U && depth != CV_16U) {
    return Status::unsupported("colorize: needs an 8-bit or 16-bit image (got OpenCV depth " + std::to_string(depth) + ")");
  }
  if (ch != 1 && ch != 3 && ch != 4) return Status::unsupported("colorize: needs 1, 3 or 4 channels, got " + std::to_string(ch));
  cv::Mat f;
  image.convertTo(f, CV_MAKETYPE(CV_32F, ch), depth == CV_8U ? 1.0 / 255.0 : 1.0 / 65535.0);
  cv::Mat bgr;
  if (ch == 1) cv::cvtColor(f, bgr, cv::COLOR_GRAY2BGR);
  else if (ch == 4) cv::cvtColor(f, bgr, cv::COLOR_BGRA2BGR);
  else bgr = f;
  cv::cvtColor(bgr, lab, cv::COLOR_BGR2Lab);
  return {};
}

Status lightness(const cv::Mat& image, cv::Mat& l) {
  cv::Mat lab;
  CVPIPE_RETURN_IF_ERROR(to_lab(image, lab));
  cv::extractChannel(lab, l, 0);
  return {};
}

cv::Mat from_lab(const cv::Mat& l, const cv::Mat& ab, int depth) {
  CV_Assert(l.type() == CV_32FC1 && ab.type() == CV_32FC2 && l.size() == ab.size());
  std::vector<cv::Mat> planes(3);
  planes[0] = l;
  cv::split(ab, &planes[1]);
  cv::Mat lab, bgr, out;
  cv::merge(planes, lab);
  cv::cvtColor(lab, bgr, cv::COLOR_Lab2BGR);
  bgr.convertTo(out, CV_MAKETYPE(depth, 3), depth == CV_8U ? 255.0 : 65535.0);  // saturating: clips
  return out;
}

cv::Mat gray_picture(const cv::Mat& image) {
  cv::Mat l;
  if (!lightness(image, l).ok()) return {};
  return from_lab(l, cv::Mat::zeros(l.size(), CV_32FC2), image.depth());
}

double colorfulness(const cv::Mat& bgr) {
  CV_Assert(bgr.type() == CV_8UC3);
  double s_rg = 0, s_yb = 0, q_rg = 0, q_yb = 0;
  for (int y = 0; y < bgr.rows; ++y) {
    const cv::Vec3b* p = bgr.ptr<cv::Vec3b>(y);
    for (int x = 0; x < bgr.cols; ++x) {
      const double b = p[x][0], g = p[x][1], r = p[x][2];
      const double rg = r - g, yb = 0.5 * (r + g) - b;
      s_rg += rg;
      s_yb += yb;
      q_rg += rg * rg;
      q_yb += yb * yb;
    }
  }
  const double n = static_cast<double>(bgr.total());
  const double m_rg = s_rg / n, m_yb = s_yb / n;
  const double v_rg = std::max(0.0, q_rg / n - m_rg * m_rg), v_yb = std::max(0.0, q_yb / n - m_yb * m_yb);
  return std::sqrt(v_rg + v_yb) + 0.3 * std::sqrt(m_rg * m_rg + m_yb * m_yb);
}

double psnr(const cv::Mat& a, const cv::Mat& b) {
  CV_Assert(a.size() == b.size() && a.type() == b.type());
  const double peak = a.depth() == CV_16U ? 65535.0 : 255.0;
  const double err = cv::norm(a, b, cv::NORM_L2SQR) / static_cast<double>(a.total() * a.channels());
  if (err <= 0) return 100.0;
  return 10.0 * std::log10(peak * peak / err);
}

}  // namespace cvpipe::colorize
