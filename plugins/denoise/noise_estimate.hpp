// Blind noise-level estimation for `sigma: auto`: the standard deviation of additive white Gaussian
// noise in an image, from the eigenvalues of the covariance of its patches (Chen, Zhu & Heng,
// "An Efficient Statistical Method for Image Noise Level Estimation", ICCV 2015): image structure
// lives in a few principal directions, the noise spreads evenly over all of them, so the noise
// variance is the largest tail of eigenvalues whose mean equals their median.
//
// Guarantees: works on 8U, 16U and 32F images with any channel count (each channel is estimated on
// its own and the median is returned, assuming the same sigma in every channel); the result is in
// the image's own units
// (8-bit levels for 8U, 16-bit levels for 16U); patches touching saturated values (0 or the type
// maximum) are skipped when enough others remain, since clipping hides noise. Deterministic,
// thread-safe, bounded work (at most `max_patches` patches). An empty or tiny image gives 0.
#pragma once
#include <opencv2/core.hpp>

namespace cvpipe::denoise {

struct NoiseEstimateOptions {
  int patch = 0;            // patch side; 0 = 7
  int max_patches = 20000;  // patches sampled on a regular grid
};

double estimate_noise_sigma(const cv::Mat& image, const NoiseEstimateOptions& options = {});

}  // namespace cvpipe::denoise
