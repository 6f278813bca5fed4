// Sample grids: see sample_grid.hpp.
#include "sample_grid.hpp"

#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "digits_dataset.hpp"
#include "latent.hpp"

namespace cvpipe::gan {

cv::Mat tile_images(const std::vector<cv::Mat>& images, int cols, int pad, int scale) {
  if (images.empty()) throw std::invalid_argument("tile_images: no images");
  const cv::Size s(images[0].cols * scale, images[0].rows * scale);
  const int type = images[0].type();
  cols = std::max(1, std::min<int>(cols, static_cast<int>(images.size())));
  const int rows = (static_cast<int>(images.size()) + cols - 1) / cols;
  cv::Mat sheet(rows * (s.height + pad) + pad, cols * (s.width + pad) + pad, type, cv::Scalar::all(96));
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (images[i].size() != images[0].size() || images[i].type() != type)
      throw std::invalid_argument("tile_images: images differ in size or type");
    const int r = static_cast<int>(i) / cols, c = static_cast<int>(i) % cols;
    cv::Mat tile = images[i];
    if (scale != 1) cv::resize(tile, tile, s, 0, 0, cv::INTER_NEAREST);
    tile.copyTo(sheet(cv::Rect(pad + c * (s.width + pad), pad + r * (s.height + pad), s.width, s.height)));
  }
  return sheet;
}

cv::Mat class_grid(Generator& generator, int per_class, std::uint64_t seed, int scale, double truncation) {
  const GanArch& a = generator.arch();
  const int n = a.num_classes * per_class;
  std::vector<int> labels;
  std::vector<float> z;
  for (int c = 0; c < a.num_classes; ++c) {
    for (int j = 0; j < per_class; ++j) {
      labels.push_back(c);
      const auto zj = latent_vector(seed, static_cast<std::uint64_t>(j), a.z_dim, truncation);
      z.insert(z.end(), zj.begin(), zj.end());
    }
  }
  const auto images = generator.generate(z, one_hot(labels, a.num_classes), n);
  std::vector<cv::Mat> tiles;
  for (const auto& im : images) tiles.push_back(to_8bit(im));
  return tile_images(tiles, per_class, 2, scale);
}

}  // namespace cvpipe::gan
