// Hand-picked photo lists; see photo_set.hpp and README.md.
#include "photo_set.hpp"

#include <algorithm>
#include <cctype>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/image_file.hpp"

namespace cvpipe::denoise {

const PhotoLists& photo_lists() {
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

std::vector<std::string> training_files(int channels) {
  const auto& l = photo_lists();
  std::vector<std::string> files = l.train_color;
  if (channels == 1) files.insert(files.end(), l.train_gray.begin(), l.train_gray.end());
  return files;
}

Status load_photos(const std::filesystem::path& dir, const std::vector<std::string>& names, int channels,
                   std::vector<cv::Mat>& out) {
  if (channels != 1 && channels != 3) return Status::invalid("channels must be 1 or 3, got " + std::to_string(channels));
  out.clear();
  for (const auto& name : names) {
    const auto path = dir / name;
    cv::Mat img;
    CVPIPE_RETURN_IF_ERROR(read_image(path, channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR, img));
    out.push_back(std::move(img));
  }
  return {};
}

std::vector<std::filesystem::path> list_images(const std::filesystem::path& dir) {
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

}  // namespace cvpipe::denoise
