// Filling holes in whole images of any size and type, by the learned network (Inpainter) or by
// OpenCV's classical methods (classic_inpaint: Telea's fast marching or Navier-Stokes).
//
// Both take 8U or 16U images with 1, 3 or 4 channels and a mask of the image's size (any depth
// and channel count; non-zero = hole). Guarantees, for both:
//   - pixels outside the hole keep their values bit for bit (the result is the input with only
//     hole pixels replaced), and what hole pixels held never influences the result;
//   - an all-zero mask returns the input unchanged;
//   - the result has the input's size and type; alpha (4th channel) passes through untouched;
//   - a mask of another size is an invalid_argument Status naming both sizes.
// The network runs only on tiles that contain hole pixels (tiles of at most `tile` pixels with
// `margin` pixels of context, see cvpipe/nn/tiling.hpp), so memory is bounded by the tile and
// time by the holes, not the image. Gray images are filled as BGR and converted back; 16-bit
// images feed the network their 8-bit version and get 16-bit results in the hole.
// An Inpainter is used by one thread at a time; classic_inpaint is thread-safe.
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "cvpipe/inpaint_classic.hpp"
#include "cvpipe/status.hpp"
#include "network.hpp"

namespace cvpipe::inpaint {

struct TileOptions {
  int tile = 512;    // largest tile side, margins included
  int margin = 96;   // context on each inner tile side
  int flips = 1;     // self-ensemble: mean of the estimates of the tile as is (1), + mirrored left-right
                     // (2), + upside down and both (4); more passes, a smoother and closer estimate
};

// Checks image and mask and returns the binary mask (CV_8UC1, 255 = hole) in `hole`.
Status check_inputs(const cv::Mat& image, const cv::Mat& mask, cv::Mat& hole);

class Inpainter {
 public:
  explicit Inpainter(std::unique_ptr<InpaintNet> net, TileOptions options = {});
  InpaintNet& net() { return *net_; }

  Status inpaint(const cv::Mat& image, const cv::Mat& mask, cv::Mat& out);

 private:
  std::unique_ptr<InpaintNet> net_;
  TileOptions options_;
};

// check_inputs, then cvpipe::inpaint_classic (cvpipe/inpaint_classic.hpp).
Status classic_inpaint(const cv::Mat& image, const cv::Mat& mask, InpaintMethod method, double radius, cv::Mat& out);

// Loads the model file `path` (found by the host). Any failure (empty path, missing, truncated, not
// an inpaint model) is invalid_argument naming the file.
Status load_inpainter(const std::filesystem::path& path, const TileOptions& options, std::unique_ptr<Inpainter>& out);

// The shipped model: the default of the `model` parameter of the stage and the eval command.
inline constexpr const char* kDefaultModel = "models/inpaint.safetensors";

}  // namespace cvpipe::inpaint
