// PSNR inside the hole: 10 log10(peak^2 / MSE) with the MSE over the pixels where `mask` is
// non-zero (all channels), between a result and the original. Images of equal size and type
// (8U: peak 255); mask CV_8UC1 of their size. +inf for identical holes, NaN for an empty hole.
// Pure function.
#pragma once
#include <opencv2/core.hpp>

namespace cvpipe::inpaint {

double hole_psnr(const cv::Mat& result, const cv::Mat& original, const cv::Mat& mask, double peak = 255.0);

}  // namespace cvpipe::inpaint
