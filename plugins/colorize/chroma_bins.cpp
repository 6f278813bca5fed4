// Quantised chroma; see chroma_bins.hpp.
#include "chroma_bins.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

namespace cvpipe::colorize {

namespace {
constexpr float k_soft_sigma = 5.f;
constexpr int k_soft_neighbours = 5;
constexpr float k_range = 128.f;  // |a|, |b| below this
}  // namespace

ChromaBins ChromaBins::from_data(const std::vector<cv::Mat>& ab_images, float grid, double min_fraction, double lambda) {
  CV_Assert(grid > 0 && !ab_images.empty());
  // Cells are centred on multiples of `grid` (gray, a = b = 0, is a centre).
  const int half = static_cast<int>(std::ceil(k_range / grid));
  const int cells = 2 * half + 1;
  std::vector<double> hist(static_cast<std::size_t>(cells) * cells, 0.0);
  auto cell_of = [&](float v) { return std::clamp(static_cast<int>(std::lround(v / grid)), -half, half) + half; };
  double total = 0;
  for (const cv::Mat& ab : ab_images) {
    CV_Assert(ab.type() == CV_32FC2);
    for (int y = 0; y < ab.rows; ++y) {
      const cv::Vec2f* p = ab.ptr<cv::Vec2f>(y);
      for (int x = 0; x < ab.cols; ++x) hist[static_cast<std::size_t>(cell_of(p[x][0])) * cells + cell_of(p[x][1])] += 1;
    }
    total += static_cast<double>(ab.total());
  }
  ChromaBins bins;
  bins.grid_ = grid;
  std::vector<double> freq;
  for (int i = 0; i < cells; ++i) {
    for (int j = 0; j < cells; ++j) {
      const double f = hist[static_cast<std::size_t>(i) * cells + j] / total;
      if (f >= min_fraction || (i == half && j == half)) {
        bins.centres_.push_back({static_cast<float>((i - half) * grid), static_cast<float>((j - half) * grid)});
        freq.push_back(f);
      }
    }
  }
  // Smooth the bin frequencies with a Gaussian in ab (sigma 5), then rebalance.
  const std::size_t k = freq.size();
  std::vector<double> smooth(k, 0.0);
  for (std::size_t i = 0; i < k; ++i) {
    double wsum = 0;
    for (std::size_t j = 0; j < k; ++j) {
      const double d2 = cv::norm(bins.centres_[i] - bins.centres_[j], cv::NORM_L2SQR);
      const double w = std::exp(-d2 / (2 * k_soft_sigma * k_soft_sigma));
      smooth[i] += w * freq[j];
      wsum += w;
    }
    smooth[i] /= wsum;
  }
  const double norm_sum = std::accumulate(smooth.begin(), smooth.end(), 0.0);
  std::vector<double> w(k);
  double mean = 0;
  for (std::size_t i = 0; i < k; ++i) {
    const double p = smooth[i] / norm_sum;
    w[i] = 1.0 / ((1.0 - lambda) * p + lambda / static_cast<double>(k));
    mean += p * w[i];
  }
  for (std::size_t i = 0; i < k; ++i) bins.weights_.push_back(static_cast<float>(w[i] / mean));
  return bins;
}

Status ChromaBins::from_lists(std::vector<cv::Vec2f> centres, std::vector<float> weights, float grid,
                              const std::string& label, ChromaBins& out) {
  if (centres.size() < 2 || centres.size() != weights.size()) {
    return Status::invalid(label + ": chroma bins need at least 2 centres and one weight per centre");
  }
  if (!(grid > 0)) return Status::invalid(label + ": chroma bin grid must be positive");
  for (std::size_t i = 0; i < centres.size(); ++i) {
    const auto& c = centres[i];
    if (!std::isfinite(c[0]) || !std::isfinite(c[1]) || std::abs(c[0]) > 2 * k_range || std::abs(c[1]) > 2 * k_range ||
        !std::isfinite(weights[i]) || weights[i] <= 0) {
      return Status::invalid(label + ": chroma bin " + std::to_string(i) + " is out of range");
    }
  }
  out.grid_ = grid;
  out.centres_ = std::move(centres);
  out.weights_ = std::move(weights);
  return {};
}

int ChromaBins::nearest(float a, float b) const {
  int best = 0;
  float best_d = std::numeric_limits<float>::max();
  for (int i = 0; i < size(); ++i) {
    const float da = centres_[i][0] - a, db = centres_[i][1] - b, d = da * da + db * db;
    if (d < best_d) {
      best_d = d;
      best = i;
    }
  }
  return best;
}

int ChromaBins::soft_encode(float a, float b, int* bins, float* values) const {
  const int n = std::min(k_soft_neighbours, size());
  float dist[k_soft_neighbours];
  int count = 0;
  for (int i = 0; i < size(); ++i) {
    const float da = centres_[i][0] - a, db = centres_[i][1] - b, d = da * da + db * db;
    if (count < n) {
      int j = count++;
      while (j > 0 && dist[j - 1] > d) {
        dist[j] = dist[j - 1];
        bins[j] = bins[j - 1];
        --j;
      }
      dist[j] = d;
      bins[j] = i;
    } else if (d < dist[n - 1]) {
      int j = n - 1;
      while (j > 0 && dist[j - 1] > d) {
        dist[j] = dist[j - 1];
        bins[j] = bins[j - 1];
        --j;
      }
      dist[j] = d;
      bins[j] = i;
    }
  }
  float sum = 0;
  for (int j = 0; j < n; ++j) {
    values[j] = std::exp(-(dist[j] - dist[0]) / (2 * k_soft_sigma * k_soft_sigma));
    sum += values[j];
  }
  for (int j = 0; j < n; ++j) values[j] /= sum;
  return n;
}

cv::Vec2f ChromaBins::decode(const float* logits, std::size_t stride, float temperature, float saturation,
                             float prior_correction) const {
  const int k = size();
  auto z = [&](int i) { return logits[i * stride] - prior_correction * std::log(weights_[i]); };
  float mx = -std::numeric_limits<float>::max();
  for (int i = 0; i < k; ++i) mx = std::max(mx, z(i));
  double sum = 0, a = 0, b = 0;
  for (int i = 0; i < k; ++i) {
    const double e = std::exp((z(i) - mx) / temperature);
    sum += e;
    a += e * centres_[i][0];
    b += e * centres_[i][1];
  }
  return {static_cast<float>(saturation * a / sum), static_cast<float>(saturation * b / sum)};
}

float ChromaBins::confidence(const float* logits, std::size_t stride, float prior_correction) const {
  const int k = size();
  auto z = [&](int i) { return logits[i * stride] - prior_correction * std::log(weights_[i]); };
  float mx = -std::numeric_limits<float>::max();
  for (int i = 0; i < k; ++i) mx = std::max(mx, z(i));
  double sum = 0, ez = 0;  // entropy = log(sum) - sum(e * (z - mx)) / sum
  for (int i = 0; i < k; ++i) {
    const double d = z(i) - mx, e = std::exp(d);
    sum += e;
    ez += e * d;
  }
  const double entropy = std::log(sum) - ez / sum;
  return static_cast<float>(std::clamp(1.0 - entropy / std::log(static_cast<double>(k)), 0.0, 1.0));
}

}  // namespace cvpipe::colorize
