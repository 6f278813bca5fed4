// The folder dataset (ImageFolder layout), the split helpers and load_dataset() (see dataset.hpp).
#include <algorithm>
#include <map>

#include <opencv2/imgcodecs.hpp>

#include "cvpipe/classify/dataset.hpp"
#include "cvpipe/image_file.hpp"

namespace cvpipe::classify {

namespace fs = std::filesystem;

namespace {

bool is_image_file(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const char* kExts[] = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm", ".pnm"};
  return std::any_of(std::begin(kExts), std::end(kExts), [&](const char* e) { return ext == e; });
}

std::vector<fs::path> sorted_entries(const fs::path& dir, bool dirs) {
  std::vector<fs::path> v;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (dirs ? e.is_directory(ec) : (e.is_regular_file(ec) && is_image_file(e.path()))) v.push_back(e.path());
  }
  std::sort(v.begin(), v.end());
  return v;
}

// Reads root/<class>/<files>; `keep(i)` decides by the file's index within its class.
template <class Keep>
Status read_classes(const fs::path& root, bool color, Keep keep, LabeledImages& d) {
  const auto classes = sorted_entries(root, true);
  if (classes.size() < 2)
    return Status::invalid("folder dataset: '" + root.string() + "' needs at least 2 class sub-folders, found " +
                           std::to_string(classes.size()));
  for (std::size_t c = 0; c < classes.size(); ++c) {
    d.class_names.push_back(classes[c].filename().string());
    const auto files = sorted_entries(classes[c], false);
    if (files.empty()) return Status::invalid("folder dataset: class folder '" + classes[c].string() + "' has no image files");
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (!keep(i)) continue;
      cv::Mat img;
      if (Status s = read_image(files[i], color ? cv::IMREAD_COLOR : cv::IMREAD_GRAYSCALE, img); !s.ok()) {
        return Status::io("folder dataset: " + s.message());
      }
      d.images.push_back(std::move(img));
      d.labels.push_back(static_cast<int>(c));
    }
  }
  return {};
}

}  // namespace

Status parse_split(const std::string& text, Split& out) {
  if (text == "train") out = Split::train;
  else if (text == "test") out = Split::test;
  else if (text == "all") out = Split::all;
  else return Status::invalid("unknown split '" + text + "' (expected train, test or all)");
  return {};
}

const char* to_string(Split split) {
  switch (split) {
    case Split::train: return "train";
    case Split::test: return "test";
    case Split::all: return "all";
  }
  return "?";
}

void LabeledImages::limit_per_class(int per_class) {
  if (per_class <= 0) return;
  std::map<int, int> total, seen, kept;
  for (int l : labels) ++total[l];
  std::vector<cv::Mat> imgs;
  std::vector<int> labs;
  for (std::size_t i = 0; i < images.size(); ++i) {
    const int l = labels[i];
    const int step = std::max(1, total[l] / per_class);
    if (seen[l]++ % step == 0 && kept[l] < per_class) {
      ++kept[l];
      imgs.push_back(images[i]);
      labs.push_back(l);
    }
  }
  images = std::move(imgs);
  labels = std::move(labs);
  description += " limited to " + std::to_string(per_class) + "/class";
}

Status load_folder(const fs::path& root, Split split, bool color, LabeledImages& out) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return Status::not_found("folder dataset: '" + root.string() + "' is not a folder");
  LabeledImages d;
  const fs::path train_dir = root / "train";
  fs::path test_dir = root / "test";
  if (!fs::is_directory(test_dir, ec)) test_dir = root / "val";
  if (fs::is_directory(train_dir, ec) && fs::is_directory(test_dir, ec)) {
    auto all = [](std::size_t) { return true; };
    if (split == Split::train || split == Split::all) CVPIPE_RETURN_IF_ERROR(read_classes(train_dir, color, all, d));
    if (split == Split::test || split == Split::all) {
      LabeledImages t;
      CVPIPE_RETURN_IF_ERROR(read_classes(test_dir, color, all, t));
      if (!d.class_names.empty() && d.class_names != t.class_names)
        return Status::invalid("folder dataset: '" + train_dir.string() + "' and '" + test_dir.string() +
                               "' have different class folders");
      d.class_names = t.class_names;
      d.images.insert(d.images.end(), t.images.begin(), t.images.end());
      d.labels.insert(d.labels.end(), t.labels.begin(), t.labels.end());
    }
  } else {
    auto keep = [split](std::size_t i) {
      const bool test = i % 5 == 4;
      return split == Split::all || (split == Split::test) == test;
    };
    CVPIPE_RETURN_IF_ERROR(read_classes(root, color, keep, d));
  }
  if (d.images.empty())
    return Status::invalid("folder dataset: '" + root.string() + "' has no images in the " + to_string(split) + " split");
  d.description = root.filename().string() + " " + to_string(split) + " (" + std::to_string(d.size()) + ")";
  out = std::move(d);
  return {};
}

Status load_dataset(const std::string& name, const fs::path& path, Split split, bool color, LabeledImages& out) {
  if (name == "digits") return load_digits(path, split, out);
  if (name == "folder") {
    if (path.empty()) return Status::invalid("folder dataset: no folder given (set the dataset path)");
    return load_folder(path, split, color, out);
  }
  return Status::invalid("unknown dataset '" + name + "' (expected digits or folder)");
}

}  // namespace cvpipe::classify
