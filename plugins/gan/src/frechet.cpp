// Frechet distance: see frechet.hpp.
#include "frechet.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cvpipe::gan {
namespace {

// Square root of a symmetric positive semi-definite matrix (negative eigenvalues clamp to 0).
cv::Mat sqrt_psd(const cv::Mat& s) {
  cv::Mat values, vectors;  // rows of `vectors` are eigenvectors
  cv::eigen(s, values, vectors);
  cv::Mat root = cv::Mat::zeros(s.size(), CV_64F);
  for (int i = 0; i < values.rows; ++i) {
    const double v = std::sqrt(std::max(0.0, values.at<double>(i)));
    const cv::Mat e = vectors.row(i);
    root += v * (e.t() * e);
  }
  return root;
}

}  // namespace

Gaussian fit_gaussian(const cv::Mat& features) {
  if (features.rows < 2) throw std::invalid_argument("fit_gaussian: need at least 2 feature vectors");
  cv::Mat f;
  features.convertTo(f, CV_64F);
  Gaussian g;
  cv::calcCovarMatrix(f, g.cov, g.mean, cv::COVAR_NORMAL | cv::COVAR_ROWS | cv::COVAR_SCALE, CV_64F);
  g.cov *= static_cast<double>(f.rows) / static_cast<double>(f.rows - 1);  // unbiased
  return g;
}

double frechet_distance(const Gaussian& a, const Gaussian& b) {
  if (a.mean.cols != b.mean.cols) throw std::invalid_argument("frechet_distance: feature sizes differ");
  const cv::Mat d = a.mean - b.mean;
  const double mean_term = d.dot(d);
  const cv::Mat ra = sqrt_psd(a.cov);
  cv::Mat m = ra * b.cov * ra;
  m = 0.5 * (m + m.t());  // symmetric up to rounding
  cv::Mat values;
  cv::eigen(m, values);
  double tr_sqrt = 0.0;
  for (int i = 0; i < values.rows; ++i) tr_sqrt += std::sqrt(std::max(0.0, values.at<double>(i)));
  return mean_term + cv::trace(a.cov)[0] + cv::trace(b.cov)[0] - 2.0 * tr_sqrt;
}

double frechet_distance(const cv::Mat& features_a, const cv::Mat& features_b) {
  return frechet_distance(fit_gaussian(features_a), fit_gaussian(features_b));
}

}  // namespace cvpipe::gan
