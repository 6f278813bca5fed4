// Training augmentation for classification: one random affine warp per sample (rotation, scale,
// shear, translation about the centre), an optional elastic distortion (Simard et al. 2003:
// a random displacement field smoothed by a Gaussian) and an optional stroke-width change (a blend
// towards the 3x3-cross dilation or erosion: thicker or thinner pen strokes), with OpenCV. Empty areas are black (the
// background of white-on-black digits and of letterboxed images).
// Deterministic for the Rng state; pure otherwise (thread-safe with one Rng per thread).
#pragma once
#include <opencv2/core.hpp>

#include "cvpipe/nn/random.hpp"

namespace cvpipe::classify {

struct AugmentOptions {
  double degrees = 12.0;    // rotation in U(-degrees, degrees)
  double scale = 0.12;      // isotropic scale in U(1 - scale, 1 + scale)
  double shear = 0.2;       // horizontal shear factor in U(-shear, shear)
  double translate = 0.1;   // shift in U(-t, t) * size, per axis
  double elastic = 0.0;     // maximum elastic displacement in pixels (0: off)
  double elastic_sigma = 2.0;
  double stroke = 0.0;      // stroke width: blend in U(-stroke, stroke) towards erosion (< 0) / dilation (> 0)
  bool enabled() const { return degrees > 0 || scale > 0 || shear > 0 || translate > 0 || elastic > 0 || stroke > 0; }
};

// `image`: CV_32F, any channel count. Returns a new image of the same size and type.
cv::Mat augment_image(const cv::Mat& image, const AugmentOptions& options, nn::Rng& rng);

}  // namespace cvpipe::classify
