// Data augmentation with OpenCV: random flips, crops (with padding), affine warps, 90-degree
// rotations, Gaussian noise and colour jitter, composable into a pipeline.
//
// Every op transforms a *group* of images that belong together (an input and its target or mask)
// with ONE random draw, so geometric ops stay aligned across the group; pass only the input when a
// photometric op must not touch the target. Randomness comes only from the caller's Rng, so results
// are deterministic for a seed. Geometric ops accept any depth and channel count; photometric ops
// work in float (8-bit images are converted and saturated back). Ops are immutable after
// construction and safe to share between threads (each thread brings its own Rng).
#pragma once
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/nn/random.hpp"

namespace cvpipe::nn {

class Augment {
 public:
  virtual ~Augment() = default;
  // Transforms the images in place. All images of a group must have the same size.
  virtual void apply(std::span<cv::Mat> images, Rng& rng) const = 0;
  virtual std::string name() const = 0;
  // Convenience for a single image.
  cv::Mat operator()(const cv::Mat& image, Rng& rng) const;
};

using AugmentPtr = std::shared_ptr<const Augment>;

// Runs ops in order.
class Compose final : public Augment {
 public:
  explicit Compose(std::vector<AugmentPtr> ops) : ops_(std::move(ops)) {}
  void apply(std::span<cv::Mat> images, Rng& rng) const override;
  std::string name() const override;
  std::size_t size() const { return ops_.size(); }

 private:
  std::vector<AugmentPtr> ops_;
};

// Mirror left-right with probability p_horizontal and up-down with p_vertical.
struct FlipOptions {
  double p_horizontal = 0.5;
  double p_vertical = 0.0;
};
AugmentPtr random_flip(FlipOptions options = {});

// Pads by `padding` on every side (constant 0 or reflect), then crops `size` at a uniformly random
// position. An image smaller than `size` after padding is padded further to fit.
struct CropOptions {
  cv::Size size{};
  int padding = 0;
  int border = cv::BORDER_CONSTANT;  // or cv::BORDER_REFLECT_101
};
AugmentPtr random_crop(CropOptions options);

// Rotation by U(-degrees, degrees), scale U(scale_min, scale_max) and translation by up to
// translate * (width, height), about the image centre. Output size = input size.
struct AffineOptions {
  double degrees = 0.0;
  double scale_min = 1.0;
  double scale_max = 1.0;
  double translate = 0.0;
  int interpolation = cv::INTER_LINEAR;  // cv::INTER_NEAREST for label maps
  int border = cv::BORDER_CONSTANT;
};
AugmentPtr random_affine(AffineOptions options);

// Rotation by k * 90 degrees, k uniform in {0, 1, 2, 3} (square images keep their size).
AugmentPtr random_rot90();

// Adds N(0, sigma^2) per element with sigma ~ U(sigma_min, sigma_max), in the image's units;
// clipped to [clip_min, clip_max] when clip_min < clip_max.
struct NoiseOptions {
  double sigma_min = 0.0;
  double sigma_max = 0.1;
  double clip_min = 0.0;
  double clip_max = 0.0;
};
AugmentPtr gaussian_noise(NoiseOptions options);

// torchvision semantics for an image with values in [0, max_value]: brightness multiplies by
// U(1-b, 1+b), contrast blends with the mean gray level by U(1-c, 1+c), saturation blends with the
// gray image by U(1-s, 1+s) (3-channel BGR only); results clipped to [0, max_value].
struct ColorJitterOptions {
  double brightness = 0.0;
  double contrast = 0.0;
  double saturation = 0.0;
  double max_value = 1.0;
};
AugmentPtr color_jitter(ColorJitterOptions options);

}  // namespace cvpipe::nn
