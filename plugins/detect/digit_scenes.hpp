// Digit scenes: a detection dataset the project makes from its own data. Each scene is a crop of a
// real photo (opencv-doc) resized to 320..640 x 240..480 pixels, with 1-8 handwritten digits from
// digits.png pasted on it: digit heights 16-64 px, a random ink colour at opacity 0.65-1 that
// differs from the background under the ink by at least 40 gray levels once blended (darkened or
// brightened when the random one does not), rotation within +-12 degrees, partial
// overlaps (a new digit may cover at most 25% of an earlier one's box, and the reverse).
// Boxes are the tight bounds of each digit's visible ink (alpha >= 0.25) in scene pixels.
//
// Splits never share a source: "train" uses digits.png columns 0-49 and the train photos,
// "test" columns 50-99 (digits.png's split, cvpipe/digits.hpp) and the held-out photos (kTestBackgrounds).
// Scene i of a (split, seed) is a pure function of (split, seed, i, the data files): the same on
// every run, whatever `count` is.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/status.hpp"
#include "coco.hpp"

namespace cvpipe::detect {

// Photos (file names in the data folder) each split draws backgrounds from.
extern const std::vector<std::string> kTrainBackgrounds;
extern const std::vector<std::string> kTestBackgrounds;

struct SceneBox {
  cv::Rect2f box;
  int digit = 0;
};

// Everything a scene is composed from, loaded once.
struct SceneSources {
  std::vector<cv::Mat> digits;  // 20x20 gray cells, white ink on black
  std::vector<int> labels;      // digit of each cell
  std::vector<cv::Mat> backgrounds;  // 8-bit BGR photos
  bool test = false;
};

// Loads digits.png and the split's photos from `data_dir` (empty: cvpipe::data_dir()).
// not_found names a missing file.
Status load_scene_sources(const std::filesystem::path& data_dir, bool test_split, SceneSources& out);

// Composes scene `index` for `seed`.
void compose_scene(const SceneSources& sources, uint64_t seed, int64_t index, cv::Mat& image, std::vector<SceneBox>& boxes);

// Writes `count` scenes to out/images/scene_NNNNNN.jpg and out/annotations.json (COCO; categories
// "0".."9" with ids 0..9). `progress` (may be null) is called after each scene with the count done.
Status write_digit_scenes(const SceneSources& sources, int64_t count, uint64_t seed, const std::filesystem::path& out,
                          CocoDataset& written, const std::function<void(int64_t)>& progress = {});

}  // namespace cvpipe::detect
