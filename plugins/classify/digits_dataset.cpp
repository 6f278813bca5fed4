// The digits dataset: OpenCV's digits.png cut into 5000 labelled 20x20 cells (see dataset.hpp).
#include <opencv2/imgcodecs.hpp>

#include "cvpipe/classify/dataset.hpp"
#include "cvpipe/data.hpp"

namespace cvpipe::classify {

namespace {
constexpr int kRows = 50, kCols = 100, kCell = 20, kRowsPerClass = 5;
}

Status load_digits(const std::filesystem::path& file_in, Split split, LabeledImages& out) {
  const std::filesystem::path file = file_in.empty() ? cvpipe::data_dir() / "digits.png" : file_in;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    return Status::not_found("digits dataset: '" + file.string() +
                             "' does not exist (install opencv-doc or set CVPIPE_DATA to a folder holding digits.png)");
  const cv::Mat sheet = cv::imread(file.string(), cv::IMREAD_GRAYSCALE);
  if (sheet.empty()) return Status::io("digits dataset: cannot decode '" + file.string() + "' as an image");
  if (sheet.cols != kCols * kCell || sheet.rows != kRows * kCell)
    return Status::invalid("digits dataset: '" + file.string() + "' is " + std::to_string(sheet.cols) + "x" +
                           std::to_string(sheet.rows) + ", expected 2000x1000 (100 x 50 cells of 20x20)");
  const int c0 = split == Split::test ? kCols / 2 : 0;
  const int c1 = split == Split::train ? kCols / 2 : kCols;
  LabeledImages d;
  for (int c = 0; c < 10; ++c) d.class_names.push_back(std::to_string(c));
  for (int r = 0; r < kRows; ++r) {
    for (int c = c0; c < c1; ++c) {
      d.images.push_back(sheet(cv::Rect(c * kCell, r * kCell, kCell, kCell)).clone());
      d.labels.push_back(r / kRowsPerClass);
    }
  }
  d.description = "digits.png " + std::string(to_string(split)) + " (" + std::to_string(d.size()) + ")";
  out = std::move(d);
  return {};
}

}  // namespace cvpipe::classify
