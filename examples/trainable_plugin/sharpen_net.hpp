// The sharpening network: a small residual CNN that undoes mild blur, one image plane at a time.
//
//   plane x (values in [0, 1]), padded by `depth` pixels (reflect-101)
//     -> Conv3x3(1 -> F) ReLU, (depth - 2) x [Conv3x3(F -> F) ReLU], Conv3x3(F -> 1), no padding
//     -> residual r (x's size); sharpened = x + strength * r
//
// Colour frames are sharpened plane by plane (B, G and R as a batch of three; alpha untouched).
// The convolutions pad nothing, so the host-side reflect padding is the only border rule, in
// training and in use alike. The nn module is a plain Sequential ("0.weight", "2.weight", ...).
//
// Model file (cvpipe/nn/model_file.hpp): "architecture" = {"type": "sharpen_residual",
// "features": F, "depth": D}, plus the training record that save() is given. load() checks the
// type and every tensor (the sizes come from the weights) and names the file in its errors.
// One thread at a time per SharpenNet.
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "cvpipe/nn/containers.hpp"
#include "cvpipe/nn/model_file.hpp"
#include "cvpipe/status.hpp"

namespace sharpen {

inline constexpr const char* kArchitectureType = "sharpen_residual";

struct NetConfig {
  int features = 8;   // width of the hidden layers
  int depth = 4;      // number of 3x3 conv layers (>= 2); also the receptive-field radius
};

class SharpenNet {
 public:
  // Throws cvpipe::nn::Error for a config out of range (features < 1, depth < 2).
  explicit SharpenNet(const NetConfig& config);
  SharpenNet(const SharpenNet&) = delete;
  SharpenNet& operator=(const SharpenNet&) = delete;

  const NetConfig& config() const { return config_; }
  cvpipe::nn::Sequential& module() { return *net_; }
  int radius() const { return config_.depth; }

  // Residuals of `planes` CV_32FC1 images of one size (unpadded; values in [0, 1]), in eval mode.
  std::vector<cv::Mat> residuals(const std::vector<cv::Mat>& planes);
  // Sharpens an 8-bit or 16-bit image with 1, 3 or 4 channels (alpha kept), in tiles of at most
  // `tile` pixels a side, so memory stays bounded on large frames. The result saturates.
  cvpipe::Status sharpen(const cv::Mat& image, double strength, int tile, cv::Mat& out);

  std::string architecture_json() const;
  // Writes the model file: `info` (the training record) with this network's architecture.
  cvpipe::Status save(const std::filesystem::path& path, cvpipe::nn::ModelInfo info);
  static cvpipe::Status load(const std::filesystem::path& path, std::unique_ptr<SharpenNet>& out);

 private:
  NetConfig config_;
  std::shared_ptr<cvpipe::nn::Sequential> net_;
  cvpipe::nn::Dims planned_;  // input dims of the cached plan
};

}  // namespace sharpen
