// Frechet distance between two sets of feature vectors, each summarised by a Gaussian (mean,
// covariance): ||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2)) — the FID formula, here over the
// digits classifier's penultimate features. Computed in double precision with symmetric eigen
// decompositions (tr((S1 S2)^(1/2)) = sum of sqrt of the eigenvalues of S1^(1/2) S2 S1^(1/2)).
// Pure functions; thread-safe.
#pragma once
#include <opencv2/core.hpp>

namespace cvpipe::gan {

struct Gaussian {
  cv::Mat mean;  // 1 x D, CV_64F
  cv::Mat cov;   // D x D, CV_64F (unbiased, N - 1)
};

// features: N x D (CV_32F or CV_64F), N >= 2.
Gaussian fit_gaussian(const cv::Mat& features);
double frechet_distance(const Gaussian& a, const Gaussian& b);
double frechet_distance(const cv::Mat& features_a, const cv::Mat& features_b);

}  // namespace cvpipe::gan
