// Quantised chroma for colourisation as classification (Zhang, Isola & Efros 2016): the ab plane
// is cut into square cells of `grid` Lab units; the bins are the cells that training colours fall
// into (the in-gamut ones), each represented by its centre. A pixel's target is a soft encoding
// over its 5 nearest bins (Gaussian weights, sigma 5); its loss weight is the class-rebalancing
// weight of its nearest bin, w = 1 / ((1 - lambda) p + lambda / K) normalised to mean 1 under p,
// where p is the bins' training frequency smoothed by a Gaussian in ab. Decoding is the annealed
// mean: softmax(logits / T) weighted mean of the centres (T -> 0: the mode, T = 1: the mean), after
// an optional partial undoing of the rebalancing (prior_correction). confidence() measures how
// peaked a pixel's distribution is (the decoding can saturate sure pixels more than unsure ones).
//
// Guarantees: bins are sorted (a, then b) and unique; decode() of K logits returns a colour inside
// the convex hull of the centres. ChromaBins is immutable after construction and thread-safe.
#pragma once
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/status.hpp"

namespace cvpipe::colorize {

class ChromaBins {
 public:
  ChromaBins() = default;
  // Bins of `grid` units from ab histograms: every cell holding at least `min_fraction` of the
  // pixels of `ab_images` (CV_32FC2) is a bin. `weights` follow the rebalancing rule above.
  static ChromaBins from_data(const std::vector<cv::Mat>& ab_images, float grid, double min_fraction, double lambda);
  // Bins from stored centres and weights (a model file); invalid_argument names `label` on mismatch.
  static Status from_lists(std::vector<cv::Vec2f> centres, std::vector<float> weights, float grid,
                           const std::string& label, ChromaBins& out);

  int size() const { return static_cast<int>(centres_.size()); }
  float grid() const { return grid_; }
  const std::vector<cv::Vec2f>& centres() const { return centres_; }
  const std::vector<float>& weights() const { return weights_; }

  // Index of the nearest bin centre to (a, b).
  int nearest(float a, float b) const;
  // Up to 5 nearest bins of (a, b) and their soft-encoding weights (summing to 1).
  int soft_encode(float a, float b, int* bins, float* values) const;
  // Annealed mean of one pixel's K logits at `stride` apart, times `saturation`. The logits are first
  // corrected by -prior_correction * log(weight): a network trained with rebalanced weights predicts
  // about weight(c) * p(c | L), so 1 recovers p(c | L) and 0 keeps the rebalanced (more vivid) one.
  cv::Vec2f decode(const float* logits, std::size_t stride, float temperature, float saturation,
                   float prior_correction = 0.f) const;
  // How peaked one pixel's distribution (softmax of the corrected logits, temperature 1) is:
  // 1 - entropy / log(K), so 1 for a single bin and 0 for the uniform distribution.
  float confidence(const float* logits, std::size_t stride, float prior_correction = 0.f) const;

 private:
  float grid_ = 10.f;
  std::vector<cv::Vec2f> centres_;
  std::vector<float> weights_;
};

}  // namespace cvpipe::colorize
