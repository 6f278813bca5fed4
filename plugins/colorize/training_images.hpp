// Training images for the colorize and translate models: photographs by name and frames sampled
// from videos, all as 8-bit BGR. Errors name the missing or unreadable file.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/params.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::colorize {

// Every `every`-th frame of `video` (starting at frame `every` / 2), at most `max_frames`.
Status read_video_frames(const std::filesystem::path& video, int every, int max_frames, std::vector<cv::Mat>& out);

// Photos `photos` and `frames_per_video` frames of each of `videos` (spread over the whole video),
// all from `dir`, appended to `images` (BGR) with their names ("vtest.avi#120") in `names`.
Status load_training_images(const std::filesystem::path& dir, const std::vector<std::string>& photos,
                            const std::vector<std::string>& videos, int frames_per_video,
                            std::vector<cv::Mat>& images, std::vector<std::string>& names);

// The training set of the colorize and translate commands, from their parameters `photos` (empty:
// the SDK's train_color photos minus the kept-out ones), `videos` and `frames_per_video`, and the
// kept-out photos named by the parameter `kept_out` (tuning or validation). A training photo that
// is also kept out, or held out for evaluation (cvpipe/photos.hpp), is refused.
struct TrainingSet {
  std::vector<cv::Mat> images;       // the photos first, then the video frames (BGR)
  std::vector<std::string> names;    // one per image ("vtest.avi#120" for a frame)
  std::size_t photos = 0;            // how many of `images` are photos
  std::vector<cv::Mat> kept_out;     // BGR
  std::vector<std::string> kept_out_names;
};
Status load_training_set(const std::filesystem::path& dir, const Params& params, const std::string& kept_out,
                         TrainingSet& out);

// `image` resized (area / linear) so that its short side is `side`.
cv::Mat resize_short_side(const cv::Mat& image, int side);

}  // namespace cvpipe::colorize
