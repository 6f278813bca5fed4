// The paired image-to-image network (pix2pix-style generator): a U-Net (cvpipe/nn/unet.hpp,
// output_level 0) from a BGR image to a residual, out = in + U-Net(in - 0.5), values in [0, 1].
// Any image size: the input is reflect-padded to the U-Net multiple and the output cropped back.
// The model file (cvpipe/nn/model_file.hpp) holds architecture {"type": "translate_residual",
// "unet": UNetOptions} and preprocessing {"task": name of the synthetic task the pairs came from
// ("" for a folder of pairs), "input"/"output" notes}.
// Guarantees: load() validates metadata and tensors and names the file in errors. A
// TranslateNet is used by one thread at a time.
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "cvpipe/nn/model_file.hpp"
#include "cvpipe/nn/containers.hpp"
#include "cvpipe/nn/unet.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::colorize {

inline constexpr const char* k_translate_arch = "translate_residual";

class TranslateNet {
 public:
  // in_channels and out_channels are set to 3, output_level to 0.
  TranslateNet(nn::UNetOptions unet, std::string task);

  const nn::UNetOptions& unet() const { return unet_; }
  const std::string& task() const { return task_; }
  nn::Graph& module() { return *net_; }
  int multiple() const { return nn::unet_multiple(unet_); }

  // Translates an 8/16-bit gray, BGR or BGRA image into a BGR image of the same size and depth.
  Status translate(const cv::Mat& image, cv::Mat& out);

  std::string architecture_json() const;
  std::string preprocessing_json() const;
  Status save(const std::filesystem::path& path, nn::ModelInfo info);
  static Status load(const std::filesystem::path& path, std::unique_ptr<TranslateNet>& out);

 private:
  nn::UNetOptions unet_;
  std::string task_;
  std::shared_ptr<nn::Graph> net_;
};

// HWC BGR float [0, 1] <-> network planes: in - 0.5 as CHW.
void to_planes(const cv::Mat& bgr01, float* dst);

}  // namespace cvpipe::colorize
