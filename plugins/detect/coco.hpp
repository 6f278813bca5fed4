// COCO-style detection datasets: a folder holding images/ and annotations.json, as written by
// `cvpipe data digit-scenes` and as users bring their own data. Only the detection subset of the
// format is used: images {id, file_name, width, height}, categories {id, name}, annotations
// {id, image_id, category_id, bbox [x,y,w,h] in pixels, iscrowd (optional, 0)}; other keys are
// kept out of the way (ignored on read). file_name is relative to images/.
// Reading validates everything a detector or evaluator relies on (unique ids, references that
// exist, finite positive boxes) and names the file and the JSON place of the first problem,
// e.g. "annotations.json: annotations[12].bbox: width must be > 0". Writing is atomic.
// Pure functions of their inputs; thread-safe.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/status.hpp"

namespace cvpipe::detect {

struct CocoImage {
  int64_t id = 0;
  std::string file_name;  // relative to the dataset's images/ folder
  int width = 0, height = 0;
};

struct CocoCategory {
  int64_t id = 0;
  std::string name;
};

struct CocoAnnotation {
  int64_t id = 0;
  int64_t image_id = 0;
  int64_t category_id = 0;
  cv::Rect2f bbox;  // x, y, width, height in pixels
  bool iscrowd = false;
};

struct CocoDataset {
  std::filesystem::path root;  // the folder holding images/ and annotations.json
  std::vector<CocoImage> images;
  std::vector<CocoCategory> categories;  // class index = position in this list
  std::vector<CocoAnnotation> annotations;

  std::filesystem::path image_path(const CocoImage& image) const { return root / "images" / image.file_name; }
  // Position of a category id in `categories`, or -1.
  int class_index(int64_t category_id) const;
  // Annotations of each image, by position in `images` (built on demand, O(annotations)).
  std::vector<std::vector<const CocoAnnotation*>> annotations_by_image() const;
};

// Reads DIR/annotations.json (DIR may also name the .json file itself; its folder is the root).
// not_found when it does not exist; invalid_argument naming file and place for bad content.
Status read_coco(const std::filesystem::path& dir, CocoDataset& out);
// The same for the text of an annotations file; `file` names it in errors and its folder is the root.
Status parse_coco(std::string_view text, const std::filesystem::path& file, CocoDataset& out);

// Writes dataset.root/annotations.json atomically (images are the caller's business).
Status write_coco(const CocoDataset& dataset);

}  // namespace cvpipe::detect
