// The handwritten digits of opencv-doc's digits.png: a 50 x 100 grid of 20x20 cells (2000 x 1000
// pixels, white ink on black), rows 5c..5c+4 holding class c. The one reader every plugin uses
// (the classify data set, the gan training data and its evaluation).
//
// Guarantees: read_digits() checks the file (exists, decodes, exactly 2000 x 1000) and the column
// range, and names the file in its error (not_found, io_error, invalid_argument); the cells are
// returned row by row, columns left to right, as 8-bit 20x20 copies. Thread-safe.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "cvpipe/data.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe {

inline constexpr int kDigitsCell = 20;      // cell side in pixels
inline constexpr int kDigitsRows = 50;
inline constexpr int kDigitsColumns = 100;  // columns 0-49: the train split; 50-99: the test split
inline constexpr int kDigitsClasses = 10;

struct DigitCells {
  std::vector<cv::Mat> cells;  // CV_8UC1, 20x20
  std::vector<int> labels;     // 0..9
};

// The default file: data_dir() / "digits.png".
inline std::filesystem::path digits_file() { return data_dir() / "digits.png"; }

// Reads the cells of columns [first_column, last_column] of `file` (empty: digits_file()).
inline Status read_digits(const std::filesystem::path& file_in, int first_column, int last_column, DigitCells& out) {
  const std::filesystem::path file = file_in.empty() ? digits_file() : file_in;
  if (first_column < 0 || last_column >= kDigitsColumns || first_column > last_column)
    return Status::invalid("digits: column range " + std::to_string(first_column) + ".." + std::to_string(last_column) +
                           " is outside 0.." + std::to_string(kDigitsColumns - 1));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    return Status::not_found("digits: '" + file.string() +
                             "' does not exist (install opencv-doc or set CVPIPE_DATA to a folder holding digits.png)");
  const cv::Mat sheet = cv::imread(file.string(), cv::IMREAD_GRAYSCALE);
  if (sheet.empty()) return Status::io("digits: cannot decode '" + file.string() + "' as an image");
  if (sheet.cols != kDigitsColumns * kDigitsCell || sheet.rows != kDigitsRows * kDigitsCell)
    return Status::invalid("digits: '" + file.string() + "' is " + std::to_string(sheet.cols) + "x" +
                           std::to_string(sheet.rows) + ", expected 2000x1000 (100 x 50 cells of 20x20)");
  DigitCells d;
  for (int r = 0; r < kDigitsRows; ++r)
    for (int c = first_column; c <= last_column; ++c) {
      d.cells.push_back(sheet(cv::Rect(c * kDigitsCell, r * kDigitsCell, kDigitsCell, kDigitsCell)).clone());
      d.labels.push_back(r / (kDigitsRows / kDigitsClasses));
    }
  out = std::move(d);
  return {};
}

}  // namespace cvpipe
