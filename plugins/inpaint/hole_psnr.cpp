// PSNR inside the hole; see hole_psnr.hpp.
#include "hole_psnr.hpp"

#include <cmath>
#include <limits>

namespace cvpipe::inpaint {

double hole_psnr(const cv::Mat& result, const cv::Mat& original, const cv::Mat& mask, double peak) {
  CV_Assert(result.size() == original.size() && result.type() == original.type());
  CV_Assert(mask.type() == CV_8UC1 && mask.size() == result.size());
  const int n = cv::countNonZero(mask);
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  cv::Mat a, b;
  result.convertTo(a, CV_64F);
  original.convertTo(b, CV_64F);
  const double sse = std::pow(cv::norm(a, b, cv::NORM_L2, mask), 2.0);
  if (sse == 0) return std::numeric_limits<double>::infinity();
  const double mse = sse / (static_cast<double>(n) * result.channels());
  return 10.0 * std::log10(peak * peak / mse);
}

}  // namespace cvpipe::inpaint
