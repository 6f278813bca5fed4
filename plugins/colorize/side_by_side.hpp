// A labelled side-by-side strip of equally sized images (gray or BGR, 8-bit): eval --save output.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

namespace cvpipe::colorize {

cv::Mat side_by_side(const std::vector<std::pair<std::string, cv::Mat>>& panels);

}  // namespace cvpipe::colorize
