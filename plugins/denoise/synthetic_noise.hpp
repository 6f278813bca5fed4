// Synthetic additive white Gaussian noise, as the training data and `cvpipe eval denoise` use it:
// noisy = clip(round(clean + sigma * N(0, 1)), 0, max) per element, in the image's own type, so a
// noisy 8-bit image is what a camera or a file would hold. sigma is in 8-bit levels (scaled by 257
// for 16-bit images). Draws come from nn::Rng with nn::normal01, so a seed gives the same noise on
// every machine. Pure functions of their arguments; thread-safe with one Rng per thread.
#pragma once
#include <opencv2/core.hpp>

#include "cvpipe/nn/random.hpp"

namespace cvpipe::denoise {

// 8U or 16U input (any channel count); returns the same type.
cv::Mat add_gaussian_noise(const cv::Mat& clean, double sigma, nn::Rng& rng);

// Float version for training: clean holds values in [0, 1]; the result is quantised to 8-bit
// levels and clipped to [0, 1] when `quantize`, else left unclipped.
cv::Mat add_gaussian_noise_f32(const cv::Mat& clean01, double sigma, nn::Rng& rng, bool quantize = true);

}  // namespace cvpipe::denoise
