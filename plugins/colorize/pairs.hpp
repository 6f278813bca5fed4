// Paired training / evaluation data for translate: a folder with a/NAME and b/NAME (any image
// format list_images() knows), both 8-bit BGR of the same size. Errors name the offending file.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/status.hpp"

namespace cvpipe::colorize {

struct ImagePair {
  std::string name;
  cv::Mat a, b;  // 8-bit BGR, same size
};

// Every a/NAME with its b/NAME; not_found when a/ is missing or empty or a b/ file is missing.
Status load_pairs(const std::filesystem::path& dir, std::vector<ImagePair>& out);

}  // namespace cvpipe::colorize
