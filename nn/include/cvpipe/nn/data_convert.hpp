// cv::Mat <-> Tensor conversions for images: HWC OpenCV images (8U/16U/32F, gray/BGR/BGRA) to
// NCHW float tensors and back, with channel conversion and per-channel normalisation
// (x' = (x * scale - mean[c]) / std[c], as torchvision's ToTensor + Normalize).
//
// Guarantees: the inverse (tensor_to_image with the same options) restores the image up to
// rounding; 8-bit output saturates. Errors (empty image, unsupported depth/channels, size mismatch
// in a batch) throw nn::Error naming the image index. Pure functions; thread-safe.
#pragma once
#include <span>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/nn/tensor.hpp"

namespace cvpipe::nn {

struct ImageToTensorOptions {
  int channels = 0;          // 0: keep; 1: to gray; 3: to 3-channel (gray replicated, alpha dropped)
  bool rgb = false;          // 3-channel tensors in RGB order (OpenCV images are BGR)
  double scale = 0.0;        // 0: auto (1/255 for 8U, 1/65535 for 16U, 1 for float)
  std::vector<float> mean{};   // per channel (or one value for all); empty: 0
  std::vector<float> std{};    // per channel (or one value for all); empty: 1
};

// The image converted to CV_32F HWC with the requested channels/order and normalisation applied.
cv::Mat normalize_image(const cv::Mat& image, const ImageToTensorOptions& options = {});
// Writes a CV_32F HWC image (as from normalize_image) into dst as C planes of H*W (CHW).
void hwc_to_chw(const cv::Mat& image32f, float* dst);
// [1, C, H, W] tensor from one image.
Tensor image_to_tensor(const cv::Mat& image, const ImageToTensorOptions& options = {});
// [N, C, H, W] tensor from images of equal size (and channels after conversion).
Tensor images_to_tensor(std::span<const cv::Mat> images, const ImageToTensorOptions& options = {});

// Image `index` of an [N, C, H, W] (or [C, H, W]) tensor as an HWC cv::Mat: normalisation undone
// (x = (x' * std + mean) / scale, scale auto-resolved for `depth`), RGB swapped back to BGR when
// options.rgb, converted to `depth` (CV_8U saturates and rounds; CV_32F keeps values).
cv::Mat tensor_to_image(const Tensor& tensor, std::int64_t index = 0, const ImageToTensorOptions& options = {},
                        int depth = CV_32F);
// The same from plain CHW floats.
cv::Mat chw_to_image(const float* chw, int channels, int height, int width, const ImageToTensorOptions& options = {},
                     int depth = CV_32F);

}  // namespace cvpipe::nn
