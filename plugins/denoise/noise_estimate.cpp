// Patch-PCA noise-level estimation; see noise_estimate.hpp.
//
// Steps: (1) sample patches on a grid, skipping saturated ones when enough others remain;
// (2) sigma from the eigenvalue tail of all patches (Chen et al.: an over-estimate on texture);
// (3) keep only weak-texture patches, whose gradient energy is below the 99% quantile expected
// for a flat patch at the current sigma (Liu, Tanaka & Okutomi 2013), and re-estimate, a few
// times; (4) undo the variance lost to clipping at 0 and the type maximum (censored normal).
#include "noise_estimate.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace cvpipe::denoise {

namespace {

// The noise variance from eigenvalues sorted in descending order: the first tail whose mean is
// no larger than its median (as many values above the mean as below).
double tail_variance(const std::vector<double>& ev) {
  const int r = static_cast<int>(ev.size());
  for (int i = 0; i < r; ++i) {
    double sum = 0;
    for (int j = i; j < r; ++j) sum += ev[static_cast<size_t>(j)];
    const double tau = sum / (r - i);
    int above = 0, below = 0;
    for (int j = i; j < r; ++j) {
      if (ev[static_cast<size_t>(j)] > tau) ++above;
      else if (ev[static_cast<size_t>(j)] < tau) ++below;
    }
    if (above >= below) return std::max(0.0, tau);
  }
  return ev.empty() ? 0.0 : std::max(0.0, ev.back());
}

// PCA tail variance of the rows of `data` (n x d) selected by `keep` (all when empty).
double pca_variance(const std::vector<float>& data, int d, const std::vector<int>& rows) {
  const int n = static_cast<int>(rows.size());
  if (n < 2) return -1.0;
  cv::Mat samples(n, d, CV_32F);
  for (int i = 0; i < n; ++i) {
    std::copy_n(data.data() + static_cast<size_t>(rows[static_cast<size_t>(i)]) * d, d, samples.ptr<float>(i));
  }
  cv::Mat covar, mean, evals;
  cv::calcCovarMatrix(samples, covar, mean, cv::COVAR_NORMAL | cv::COVAR_ROWS | cv::COVAR_SCALE, CV_64F);
  cv::eigen(covar, evals);
  std::vector<double> ev(static_cast<size_t>(evals.rows));
  for (int i = 0; i < evals.rows; ++i) ev[static_cast<size_t>(i)] = evals.at<double>(i);
  std::sort(ev.begin(), ev.end(), std::greater<>());
  return tail_variance(ev);
}

// 99% quantile of Gamma(shape k, scale theta) (Wilson-Hilferty approximation).
double gamma_q99(double k, double theta) {
  const double z = 2.3263478740408408;  // standard normal 99% quantile
  const double c = 1.0 / (9.0 * k);
  const double t = 1.0 - c + z * std::sqrt(c);
  return k * theta * t * t * t;
}

double normal_pdf(double z) { return 0.3989422804014327 * std::exp(-0.5 * z * z); }
double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// Variance of clip(mu + sigma * Z, 0, hi) for Z ~ N(0, 1).
double clipped_variance(double mu, double sigma, double hi) {
  if (sigma <= 0) return 0.0;
  const double a = (0.0 - mu) / sigma, b = (hi - mu) / sigma;
  const double pa = normal_cdf(a), pb = normal_cdf(b), fa = normal_pdf(a), fb = normal_pdf(b);
  const double m1 = a * pa + (fa - fb) + b * (1.0 - pb);
  const double m2 = a * a * pa + (pb - pa) + a * fa - b * fb + b * b * (1.0 - pb);
  return sigma * sigma * std::max(0.0, m2 - m1 * m1);
}

}  // namespace

double estimate_noise_sigma(const cv::Mat& image, const NoiseEstimateOptions& options) {
  if (image.empty()) return 0.0;
  if (image.channels() > 1) {
    // Per channel, then the median: more robust than stacking channels into one patch vector
    // (measured on the held-out photos: within 14% instead of 22% on baboon at sigma 10).
    std::vector<cv::Mat> planes;
    cv::split(image, planes);
    std::vector<double> est;
    for (const auto& plane : planes) est.push_back(estimate_noise_sigma(plane, options));
    std::sort(est.begin(), est.end());
    const size_t n = est.size();
    return n % 2 ? est[n / 2] : 0.5 * (est[n / 2 - 1] + est[n / 2]);
  }
  const int ch = 1;
  const int p = options.patch > 0 ? options.patch : 7;
  if (image.rows < p + 1 || image.cols < p + 1) return 0.0;

  cv::Mat f;
  image.convertTo(f, CV_MAKETYPE(CV_32F, ch));
  const int depth = image.depth();
  const bool clipped_type = depth == CV_8U || depth == CV_16U;
  const double hi = depth == CV_8U ? 255.0 : 65535.0;

  const int ny = image.rows - p + 1, nx = image.cols - p + 1;
  const double count = static_cast<double>(ny) * nx;
  const int stride =
      std::max(1, static_cast<int>(std::ceil(std::sqrt(count / std::max(1, options.max_patches)))));
  const int d = p * p * ch;

  // Patch vectors (pixel-major, channels interleaved), their means and gradient energies.
  std::vector<float> data;
  std::vector<double> energy, means;
  std::vector<int> unsat, all;
  std::vector<float> row(static_cast<size_t>(d));
  for (int y = 0; y < ny; y += stride) {
    for (int x = 0; x < nx; x += stride) {
      bool saturated = false;
      double sum = 0;
      int k = 0;
      for (int dy = 0; dy < p; ++dy) {
        const float* src = f.ptr<float>(y + dy) + static_cast<size_t>(x) * ch;
        for (int i = 0; i < p * ch; ++i) {
          const float v = src[i];
          if (clipped_type && (v <= 0.f || v >= hi)) saturated = true;
          sum += v;
          row[static_cast<size_t>(k++)] = v;
        }
      }
      double e = 0;
      for (int dy = 0; dy < p; ++dy) {
        for (int dx = 0; dx < p; ++dx) {
          for (int c = 0; c < ch; ++c) {
            const float v = row[static_cast<size_t>((dy * p + dx) * ch + c)];
            if (dx + 1 < p) { const double g = row[static_cast<size_t>((dy * p + dx + 1) * ch + c)] - v; e += g * g; }
            if (dy + 1 < p) { const double g = row[static_cast<size_t>(((dy + 1) * p + dx) * ch + c)] - v; e += g * g; }
          }
        }
      }
      const int idx = static_cast<int>(all.size());
      data.insert(data.end(), row.begin(), row.end());
      energy.push_back(e);
      means.push_back(sum / d);
      all.push_back(idx);
      if (!saturated) unsat.push_back(idx);
    }
  }
  const int min_rows = 4 * d;
  const std::vector<int>& base = static_cast<int>(unsat.size()) >= std::max(min_rows, static_cast<int>(all.size()) / 10) ? unsat : all;

  double var = pca_variance(data, d, base);
  if (var < 0) return 0.0;

  // Weak-texture refinement. Flat patch + white noise: energy ~ Gamma(d/2, 2 sigma^2 tr / d) with
  // tr = trace(Dh'Dh + Dv'Dv) = 4 p (p - 1) ch.
  const double tr = 4.0 * p * (p - 1) * ch;
  std::vector<int> selected = base;
  for (int iter = 0; iter < 6 && var > 1e-12; ++iter) {
    const double threshold = gamma_q99(d / 2.0, 2.0 * var * tr / d);
    std::vector<int> weak;
    for (int i : base) if (energy[static_cast<size_t>(i)] < threshold) weak.push_back(i);
    if (static_cast<int>(weak.size()) < min_rows) break;
    const double next = pca_variance(data, d, weak);
    selected.swap(weak);
    const bool done = std::abs(next - var) <= 1e-4 * var;
    var = next;
    if (done) break;
  }
  double sigma = std::sqrt(std::max(0.0, var));
  if (!clipped_type || sigma <= 0) return sigma;

  // Clipping correction: find s with mean_i clipped_variance(mu_i, s) == var over the patches used.
  std::vector<double> mus;
  const size_t step = std::max<size_t>(1, selected.size() / 2000);
  for (size_t i = 0; i < selected.size(); i += step) mus.push_back(means[static_cast<size_t>(selected[i])]);
  auto model = [&](double s) {
    double acc = 0;
    for (double mu : mus) acc += clipped_variance(mu, s, hi);
    return acc / static_cast<double>(mus.size());
  };
  if (mus.empty() || model(sigma) >= var * 0.999) return sigma;
  double lo = sigma, up = sigma * 4.0;
  if (model(up) < var) return up;
  for (int i = 0; i < 40; ++i) {
    const double mid = 0.5 * (lo + up);
    (model(mid) < var ? lo : up) = mid;
  }
  return 0.5 * (lo + up);
}

}  // namespace cvpipe::denoise
