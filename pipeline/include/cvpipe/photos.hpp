// The photographs of opencv-doc's sample folder that model plugins train and evaluate on: a fixed,
// hand-picked list of real photos (drawings, logos, charts, text, renders and synthetic images are
// excluded), split into training and held-out files. Near-duplicates (stereo pairs, edited copies)
// of a held-out photo never appear in training. The one photo split every plugin uses (denoise,
// inpaint, colorize ...), so no plugin's evaluation photo is another's training photo by accident.
//
// Guarantees: the lists are constant; load_photos() returns 8-bit images (1 or 3 channels as
// asked) or an error naming the missing / unreadable file. Thread-safe (no shared state).
#pragma once
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "cvpipe/data.hpp"
#include "cvpipe/image_file.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe {

struct PhotoLists {
  std::vector<std::string> train_color;  // colour photos for training
  std::vector<std::string> train_gray;   // gray-only photos (for models of gray images)
  std::vector<std::string> held_out;     // colour photos kept out of training (evaluation)
};

inline const PhotoLists& photo_lists() {
  static const PhotoLists lists{
      // Colour photographs. aloeL/aloeR and rubberwhale1/2 are stereo / flow pairs (both train).
      {"aero1.jpg", "aero3.jpg", "aloeL.jpg", "aloeR.jpg", "apple.jpg", "board.jpg", "ela_original.jpg",
       "graf1.png", "graf3.png", "home.jpg", "licenseplate_motion.jpg", "orange.jpg", "pca_test1.jpg",
       "rubberwhale1.png", "rubberwhale2.png", "smarties.png", "stuff.jpg"},
      // Gray photographs (a few of the 28 near-identical calibration shots only).
      {"basketball1.png", "basketball2.png", "blox.jpg", "box.png", "box_in_scene.png", "left01.jpg",
       "left06.jpg", "right03.jpg", "right09.jpg"},
      // Held out: never trained on (leuvenB, a near-duplicate of leuvenA, is not used at all).
      {"baboon.jpg", "building.jpg", "butterfly.jpg", "chicky_512.png", "fruits.jpg", "leuvenA.jpg",
       "messi5.jpg", "squirrel_cls.jpg"}};
  return lists;
}

// Training files for a model of images with `channels` (1: colour + gray photos, 3: colour photos).
inline std::vector<std::string> training_photos(int channels) {
  const auto& l = photo_lists();
  std::vector<std::string> files = l.train_color;
  if (channels == 1) files.insert(files.end(), l.train_gray.begin(), l.train_gray.end());
  return files;
}

// Loads `names` from `dir` (default data_dir()) as 8-bit images with `channels` (1 = gray, 3 = BGR).
inline Status load_photos(const std::filesystem::path& dir, const std::vector<std::string>& names, int channels,
                          std::vector<cv::Mat>& out) {
  if (channels != 1 && channels != 3) return Status::invalid("channels must be 1 or 3, got " + std::to_string(channels));
  out.clear();
  for (const auto& name : names) {
    cv::Mat img;
    CVPIPE_RETURN_IF_ERROR(read_image((dir.empty() ? data_dir() : dir) / name,
                                      channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR, img));
    out.push_back(std::move(img));
  }
  return {};
}

// Every image file (png, jpg, jpeg, bmp, tif, tiff, ppm, pgm) in `dir`, sorted by name.
inline std::vector<std::filesystem::path> list_images(const std::filesystem::path& dir) {
  static const char* exts[] = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".ppm", ".pgm"};
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (!e.is_regular_file()) continue;
    std::string ext = e.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (std::find(std::begin(exts), std::end(exts), ext) != std::end(exts)) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace cvpipe
