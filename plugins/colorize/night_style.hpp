// The synthetic translation task shipped with the translate plugin: day -> night-style tone
// mapping. From an 8-bit BGR photo (v = BGR / 255, Y = its luma):
//   base  = 0.55 * (0.35 v + 0.65 Y)^1.5 * (1.15, 0.90, 0.70)       darker, desaturated, blue
//   glow  = GaussianBlur(max(Y - 0.75, 0) / 0.25, sigma 3 px) * 0.6 * (0.55, 0.80, 1.00)
//   night = clip(base + glow) * 255                                 highlights glow warm
// Deterministic; the glow makes it depend on a neighbourhood, not only on the pixel. Accepts
// 8-bit gray, BGR or BGRA (alpha dropped) and returns 8-bit BGR of the same size.
#pragma once
#include <opencv2/core.hpp>

namespace cvpipe::colorize {

cv::Mat night_style(const cv::Mat& image);

}  // namespace cvpipe::colorize
