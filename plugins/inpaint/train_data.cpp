// Training and validation data; see train_data.hpp.
#include "train_data.hpp"

#include <algorithm>

#include "cvpipe/nn/random.hpp"
#include "network.hpp"

namespace cvpipe::inpaint {

namespace {

cv::Mat flip_rotate(const cv::Mat& m, int op) {
  cv::Mat out = m;
  if (op & 1) cv::flip(out, out, 1);
  if (op & 2) cv::flip(out, out, 0);
  if (op & 4) cv::transpose(out, out);
  return out;
}

}  // namespace

nn::DatasetPtr make_patch_dataset(std::vector<cv::Mat> photos, std::size_t size, const PatchOptions& options) {
  std::vector<double> cumulative;
  double total = 0;
  for (const auto& p : photos) cumulative.push_back(total += static_cast<double>(p.total()));
  const int patch = options.patch;
  return std::make_shared<nn::FunctionDataset>(
      size, [photos = std::move(photos), cumulative, total, patch, options](std::size_t, nn::Rng& rng) {
        const double pick = nn::uniform(rng, 0, total);
        const std::size_t i = std::min<std::size_t>(
            std::upper_bound(cumulative.begin(), cumulative.end(), pick) - cumulative.begin(), photos.size() - 1);
        const cv::Mat& photo = photos[i];
        const int x = static_cast<int>(nn::uniform_int(rng, 0, photo.cols - patch));
        const int y = static_cast<int>(nn::uniform_int(rng, 0, photo.rows - patch));
        const cv::Mat original = flip_rotate(photo(cv::Rect(x, y, patch, patch)).clone(), static_cast<int>(nn::uniform_int(rng, 0, 7)));
        const cv::Mat mask = random_mask(original.size(), options.masks, rng);
        const cv::Mat coarse = coarse_fill(original, mask);
        const int sizes[3] = {4, patch, patch};
        nn::Sample s;
        s.image.create(3, sizes, CV_32F);
        pack_input(coarse, mask, s.image.ptr<float>());
        s.target.create(3, sizes, CV_32F);
        float* t = s.target.ptr<float>();
        const std::size_t plane = static_cast<std::size_t>(patch) * patch;
        for (int r = 0; r < patch; ++r) {
          const uchar* o = original.ptr<uchar>(r);
          const uchar* c = coarse.ptr<uchar>(r);
          const uchar* m = mask.ptr<uchar>(r);
          for (int col = 0; col < patch; ++col) {
            const std::size_t at = static_cast<std::size_t>(r) * patch + col;
            for (int k = 0; k < 3; ++k) t[k * plane + at] = (o[3 * col + k] - c[3 * col + k]) / 255.0f;
            t[3 * plane + at] = m[col] ? 1.0f : 0.0f;
          }
        }
        return s;
      });
}

std::vector<ValItem> make_validation_set(const std::vector<cv::Mat>& photos, int crop, int multiple,
                                         const MaskOptions& masks, std::uint64_t seed) {
  std::vector<ValItem> items;
  for (std::size_t i = 0; i < photos.size(); ++i) {
    const cv::Mat& p = photos[i];
    const int w = std::min(crop, p.cols) / multiple * multiple, h = std::min(crop, p.rows) / multiple * multiple;
    if (w == 0 || h == 0) continue;
    ValItem item;
    item.original = p(cv::Rect((p.cols - w) / 2, (p.rows - h) / 2, w, h)).clone();
    nn::Rng rng(nn::derive_seed(seed, i));
    item.mask = random_mask(item.original.size(), masks, rng);
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace cvpipe::inpaint
