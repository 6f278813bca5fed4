// The classical baseline and fallback: OpenCV's non-local means (fastNlMeansDenoising for gray,
// fastNlMeansDenoisingColored for BGR), with filter strength h = sigma (and hColor = sigma),
// template window 7 and search window 21 unless told otherwise.
//
// Guarantees: 8U and 16U, 1 or 3 channels (4-channel input keeps its alpha untouched); 16-bit
// images are filtered at 8-bit precision (OpenCV's L2 NL-means is 8-bit only) and returned as
// 16U; sigma is in 8-bit levels for every depth; sigma < 0.5 returns a copy. Errors (empty image,
// unsupported type) are Status values. Thread-safe.
#pragma once
#include <opencv2/core.hpp>

#include "cvpipe/status.hpp"

namespace cvpipe::denoise {

struct NlMeansOptions {
  int template_size = 7;
  int search_size = 21;
};

Status nlmeans_denoise(const cv::Mat& src, double sigma, cv::Mat& dst, const NlMeansOptions& options = {});

}  // namespace cvpipe::denoise
