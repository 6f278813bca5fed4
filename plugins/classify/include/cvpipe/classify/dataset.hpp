// Labelled image datasets for classification, decoded once into memory (8-bit cv::Mat per sample).
//
//   digits: OpenCV's digits.png (cvpipe::data_dir()/digits.png): a 50 x 100 grid of 20x20 cells,
//           rows 5c..5c+4 hold class c ("0".."9"), white ink on black. Fixed split: columns 0-49
//           are "train", 50-99 "test" (2500 each); "all" is both. Samples are ordered row by row.
//   folder: the ImageFolder layout, root/<class>/<image files>, classes = sorted sub-folder names.
//           When root has "train" and "test" (or "val") sub-folders, those are the splits; else the
//           split is fixed and deterministic: in each class (files sorted by name) every 5th file
//           (index % 5 == 4) is "test", the rest "train". Unreadable files are an error naming them.
// Errors are Status values naming the file. The readers are reentrant (no shared state).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/status.hpp"

namespace cvpipe::classify {

enum class Split { train, test, all };

Status parse_split(const std::string& text, Split& out);  // "train" | "test" | "all"
const char* to_string(Split split);

struct LabeledImages {
  std::vector<cv::Mat> images;  // CV_8UC1 or CV_8UC3, any size (digits: 20x20 gray)
  std::vector<int> labels;      // in [0, class_names.size())
  std::vector<std::string> class_names;
  std::string description;      // "digits.png test (2500)"

  std::size_t size() const { return images.size(); }
  // Keeps every k-th sample per class until at most `per_class` remain per class (for quick runs).
  void limit_per_class(int per_class);
};

// digits.png. `file` empty means cvpipe::data_dir()/digits.png.
Status load_digits(const std::filesystem::path& file, Split split, LabeledImages& out);

// ImageFolder. `color`: decode as 3-channel BGR, else gray.
Status load_folder(const std::filesystem::path& root, Split split, bool color, LabeledImages& out);

// By name: "digits" (path: digits.png or empty) or "folder" (path: the root folder).
Status load_dataset(const std::string& name, const std::filesystem::path& path, Split split, bool color,
                    LabeledImages& out);

}  // namespace cvpipe::classify
