// Training and validation data for the inpainting network, made from photographs.
//
// Training sample: a random patch of a random photo (drawn with probability proportional to its
// area), one of the 8 flips/rotations, a free-form mask (masks.hpp) and the Telea fill of it;
// returned as the network input (CHW 3-D Mat, 4 planes, see pack_input) and a target of 4 planes:
// the residual original/255 - coarse/255 (3 planes) and the mask as 0/1. A pure function of the
// Rng the loader hands in; photos are shared read-only (safe on the loader's prefetch thread).
// Validation: centre crops of the given photos with masks drawn from a fixed seed.
#pragma once
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/nn/data_loader.hpp"
#include "masks.hpp"

namespace cvpipe::inpaint {

struct PatchOptions {
  int patch = 64;  // multiple of the network's input multiple
  MaskOptions masks{0.03, 0.30};
};

// photos: CV_8UC3, each at least patch x patch.
nn::DatasetPtr make_patch_dataset(std::vector<cv::Mat> photos, std::size_t size, const PatchOptions& options);

struct ValItem {
  cv::Mat original;  // CV_8UC3 crop, sides multiples of `multiple`
  cv::Mat mask;      // CV_8UC1, 255 = hole
};

std::vector<ValItem> make_validation_set(const std::vector<cv::Mat>& photos, int crop, int multiple,
                                         const MaskOptions& masks, std::uint64_t seed);

}  // namespace cvpipe::inpaint
