// Training images for the colorize and translate models: photographs by name and frames sampled
// from videos, all as 8-bit BGR. Errors name the missing or unreadable file.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/status.hpp"

namespace cvpipe::colorize {

// Comma-separated list -> trimmed non-empty items.
std::vector<std::string> split_list(const std::string& text);

// Every `every`-th frame of `video` (starting at frame `every` / 2), at most `max_frames`.
Status read_video_frames(const std::filesystem::path& video, int every, int max_frames, std::vector<cv::Mat>& out);

// Photos `photos` and `frames_per_video` frames of each of `videos` (spread over the whole video),
// all from `dir`, appended to `images` (BGR) with their names ("vtest.avi#120") in `names`.
Status load_training_images(const std::filesystem::path& dir, const std::vector<std::string>& photos,
                            const std::vector<std::string>& videos, int frames_per_video,
                            std::vector<cv::Mat>& images, std::vector<std::string>& names);

// `image` resized (area / linear) so that its short side is `side`.
cv::Mat resize_short_side(const cv::Mat& image, int side);

}  // namespace cvpipe::colorize
