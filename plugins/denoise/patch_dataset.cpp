// Denoising patches and validation crops; see patch_dataset.hpp.
#include "patch_dataset.hpp"

#include <algorithm>
#include <memory>

#include <opencv2/core.hpp>

#include "cvpipe/nn/context.hpp"
#include "network.hpp"
#include "synthetic_noise.hpp"

namespace cvpipe::denoise {

namespace {

class PatchDataset final : public nn::Dataset {
 public:
  PatchDataset(std::vector<cv::Mat> photos, std::size_t size, const PatchOptions& o)
      : photos_(std::move(photos)), size_(size), o_(o) {
    if (photos_.empty()) throw nn::Error("denoise patches: no photos");
    if (o_.patch < 2 || o_.patch % 2) throw nn::Error("denoise patches: patch must be even and >= 2");
    double total = 0;
    for (const auto& p : photos_) {
      if (p.rows < o_.patch || p.cols < o_.patch) throw nn::Error("denoise patches: a photo is smaller than the patch");
      total += static_cast<double>(p.total());
      cumulative_.push_back(total);
    }
  }

  std::size_t size() const override { return size_; }

  nn::Sample get(std::size_t, nn::Rng& rng) const override {
    const double u = nn::uniform01(rng) * cumulative_.back();
    const auto k = static_cast<std::size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), u) - cumulative_.begin());
    const cv::Mat& photo = photos_[std::min(k, photos_.size() - 1)];
    const int p = o_.patch;
    const int x = static_cast<int>(nn::uniform_int(rng, 0, photo.cols - p));
    const int y = static_cast<int>(nn::uniform_int(rng, 0, photo.rows - p));
    cv::Mat crop = photo(cv::Rect(x, y, p, p)).clone();
    const auto t = nn::uniform_int(rng, 0, 7);  // dihedral group: flip, then 0-3 quarter turns
    if (t & 4) cv::flip(crop, crop, 1);
    if ((t & 3) == 1) cv::rotate(crop, crop, cv::ROTATE_90_CLOCKWISE);
    if ((t & 3) == 2) cv::rotate(crop, crop, cv::ROTATE_180);
    if ((t & 3) == 3) cv::rotate(crop, crop, cv::ROTATE_90_COUNTERCLOCKWISE);
    cv::Mat clean;
    crop.convertTo(clean, CV_MAKETYPE(CV_32F, crop.channels()), 1.0 / 255.0);
    const double sigma = nn::uniform(rng, o_.sigma_min, o_.sigma_max);
    const cv::Mat noisy = add_gaussian_noise_f32(clean, sigma, rng, true);
    const int c = crop.channels();
    const int in_sizes[3] = {4 * c + 1, p / 2, p / 2};
    const int out_sizes[3] = {4 * c, p / 2, p / 2};
    nn::Sample s;
    s.image.create(3, in_sizes, CV_32F);
    s.target.create(3, out_sizes, CV_32F);
    DenoiseNet::pack(noisy, sigma, s.image.ptr<float>());
    DenoiseNet::unshuffle(noisy - clean, s.target.ptr<float>());
    return s;
  }

 private:
  std::vector<cv::Mat> photos_;
  std::vector<double> cumulative_;
  std::size_t size_;
  PatchOptions o_;
};

}  // namespace

nn::DatasetPtr make_patch_dataset(std::vector<cv::Mat> photos, std::size_t size, const PatchOptions& options) {
  return std::make_shared<PatchDataset>(std::move(photos), size, options);
}

std::vector<ValItem> make_validation_set(const std::vector<cv::Mat>& photos, int crop, const std::vector<double>& sigmas,
                                         std::uint64_t seed) {
  std::vector<ValItem> items;
  for (std::size_t i = 0; i < photos.size(); ++i) {
    const cv::Mat& p = photos[i];
    const int w = std::min(crop, p.cols) / 2 * 2, h = std::min(crop, p.rows) / 2 * 2;
    if (w < 2 || h < 2) continue;
    const cv::Mat clean = p(cv::Rect((p.cols - w) / 2, (p.rows - h) / 2, w, h)).clone();
    for (std::size_t j = 0; j < sigmas.size(); ++j) {
      nn::Rng rng(nn::derive_seed(seed, i, j));
      items.push_back({clean, add_gaussian_noise(clean, sigmas[j], rng), sigmas[j]});
    }
  }
  return items;
}

}  // namespace cvpipe::denoise
