// Training and validation data for the denoiser, made from photographs (see cvpipe/photos.hpp).
//
// Training sample: a random patch of a random photo (photos drawn with probability proportional
// to their area), one of the 8 flips/rotations, sigma ~ U[sigma_min, sigma_max], 8-bit-quantised
// Gaussian noise (synthetic_noise.hpp); returned as the network's packed input (CHW 3-D Mat,
// 4C+1 planes: unshuffled noisy patch + noise map) and its target (4C planes: the unshuffled
// noise, noisy - clean). Samples are a pure function of the Rng the loader hands in.
// Validation: fixed centre crops of the given photos at fixed sigmas and a fixed seed.
// Photos are shared read-only; the dataset is safe to use from the loader's prefetch thread.
#pragma once
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/nn/data_loader.hpp"

namespace cvpipe::denoise {

struct PatchOptions {
  int patch = 64;          // patch side in pixels (even)
  double sigma_min = 0.0;  // 8-bit levels
  double sigma_max = 55.0;
};

// photos: 8-bit images with the model's channel count, each at least patch x patch.
nn::DatasetPtr make_patch_dataset(std::vector<cv::Mat> photos, std::size_t size, const PatchOptions& options);

struct ValItem {
  cv::Mat clean;  // 8-bit crop (even sides)
  cv::Mat noisy;  // clean + noise, 8-bit
  double sigma = 0;
};

// One item per (photo, sigma): the centre crop x crop (smaller photos: their largest even crop).
std::vector<ValItem> make_validation_set(const std::vector<cv::Mat>& photos, int crop, const std::vector<double>& sigmas,
                                         std::uint64_t seed);

}  // namespace cvpipe::denoise
