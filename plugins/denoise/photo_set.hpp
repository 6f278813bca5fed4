// The photographs the denoiser trains and is evaluated on: a fixed, hand-picked list of real
// photos from the opencv-doc sample folder (drawings, logos, charts, text, renders and synthetic
// images are excluded; see README.md for the reasoning), split into training and held-out files.
// Near-duplicates (stereo pairs, edited copies) of a held-out photo never appear in training.
//
// Guarantees: the lists are constant; load_photos() returns 8-bit images (1 or 3 channels as
// asked) or an error naming the missing / unreadable file. Thread-safe (no shared state).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/status.hpp"

namespace cvpipe::denoise {

struct PhotoLists {
  std::vector<std::string> train_color;  // colour photos used for training (both models)
  std::vector<std::string> train_gray;   // gray-only photos, used by the gray model only
  std::vector<std::string> held_out;     // colour photos kept out of training (evaluation)
};

const PhotoLists& photo_lists();

// Training files for a model with `channels` (1: colour + gray photos, 3: colour photos).
std::vector<std::string> training_files(int channels);

// Loads `names` from `dir` as 8-bit images with `channels` (1 = gray, 3 = BGR).
Status load_photos(const std::filesystem::path& dir, const std::vector<std::string>& names, int channels,
                   std::vector<cv::Mat>& out);

// Every image file (png, jpg, jpeg, bmp, tif, tiff, ppm, pgm) in `dir`, sorted by name.
std::vector<std::filesystem::path> list_images(const std::filesystem::path& dir);

}  // namespace cvpipe::denoise
