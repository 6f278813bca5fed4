// Test images and files: deterministic patterns (gradients, shapes and seeded noise, so filters
// have something to act on) of any size, depth and channel count; frames around them; broken
// files (corrupt images, truncated videos) for error-path tests. Pure functions of their
// arguments (same seed, same pixels); thread-safe.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/frame.hpp"

namespace cvpipe::test {

// A pattern of `size` and `type` (CV_8UC1, CV_8UC3, CV_16UC1, CV_16UC3, CV_8UC4 ...): a diagonal
// gradient, a bright disc, a dark rectangle and a little seeded noise. 16-bit images use the full
// 16-bit range (not 8-bit values in 16-bit containers).
cv::Mat pattern_image(cv::Size size, int type, uint64_t seed = 1);
inline cv::Mat gray_image(int width, int height, int depth = CV_8U, uint64_t seed = 1) {
  return pattern_image({width, height}, CV_MAKETYPE(depth, 1), seed);
}
inline cv::Mat color_image(int width, int height, int depth = CV_8U, uint64_t seed = 1) {
  return pattern_image({width, height}, CV_MAKETYPE(depth, 3), seed);
}
// Adds zero-mean Gaussian noise of `sigma` (8-bit levels; scaled for 16-bit), saturating.
cv::Mat add_noise(const cv::Mat& image, double sigma, uint64_t seed = 7);

Frame make_frame(cv::Mat image, std::string source = "test.png", int64_t seq = 0);

// Sizes that catch alignment and border bugs: 1x1, 2x3, 3x2, 7x5, 37x23, 101x63.
const std::vector<cv::Size>& odd_sizes();
// The common "gray and color, 8 and 16 bits" set: CV_8UC1, CV_8UC3, CV_16UC1, CV_16UC3.
const std::vector<int>& common_types();
std::string type_name(int type);  // "8UC3"

// Max absolute per-element difference (0 for identical; +inf when sizes or types differ).
double max_abs_diff(const cv::Mat& a, const cv::Mat& b);
// Mean of |Laplacian| of the 8-bit gray version: a sharpness measure (blur lowers it).
double sharpness(const cv::Mat& image);

// Writes bytes that no decoder accepts under `path` (e.g. "bad.jpg").
void write_corrupt_image(const std::filesystem::path& path);
// Writes an MJPG .avi of `frames` pattern frames (frame i uses seed i); throws when it cannot.
void write_test_video(const std::filesystem::path& path, int frames, cv::Size size, double fps = 10.0);
// Frames a video file decodes to (cv::VideoCapture, read to the end); -1 when it cannot be opened.
int count_video_frames(const std::filesystem::path& path);
// Copies the first `fraction` of `src` to `dst` (a truncated file).
void write_truncated_copy(const std::filesystem::path& src, const std::filesystem::path& dst, double fraction);

}  // namespace cvpipe::test
