// Pixel conversions the sinks need before encoding: to 8 bits (16-bit / 257, float x 255,
// clamped), to 3-channel BGR, and which file formats keep 16-bit samples. Pure functions; the
// input is never modified.
#pragma once
#include <string>

#include <opencv2/core.hpp>

namespace cvpipe::io {

cv::Mat to_8bit(const cv::Mat& image);
cv::Mat to_bgr8(const cv::Mat& image);
// An image an encoder for `ext` (".png", ".jpg" ...) accepts: 8-bit unless the format keeps
// 16-bit samples; 1, 3 or 4 channels.
cv::Mat for_encoder(const cv::Mat& image, const std::string& ext);

}  // namespace cvpipe::io
