// DigitsDataset: the handwritten digits of opencv-doc's digits.png (read by cvpipe/digits.hpp),
// prepared for the GAN: white on black (as stored),
// brought to `size` x `size` (DigitFit::pad: centred on a black canvas, pixels untouched;
// DigitFit::resize: stretched) and scaled to [-1, 1] (the generator's Tanh range).
//
// Guarantees: load() validates the file and the column range (read_digits) and returns a Status
// naming the file otherwise; images are ordered row by row, columns left to right (deterministic); the object is immutable after load and may be read from any thread.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/digits.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::gan {


// How a 20x20 cell becomes a size x size network image, and back (see cell_from_image).
enum class DigitFit { pad, resize };
const char* to_string(DigitFit fit);
bool parse_fit(const std::string& text, DigitFit& out);

struct DigitsSplit {
  int first_column = 0;  // inclusive
  int last_column = 49;  // inclusive
  static DigitsSplit train() { return {0, 49}; }
  static DigitsSplit test() { return {50, 99}; }
};

class DigitsDataset {
 public:
  // Reads `file` (digits.png) and keeps the cells of columns [split.first_column, split.last_column].
  // size: side of the prepared images (20 keeps the cells as they are).
  static Status load(const std::filesystem::path& file, DigitsSplit split, int size, DigitsDataset& out,
                     DigitFit fit = DigitFit::pad);
  // The default file: cvpipe::data_dir() / "digits.png".
  static std::filesystem::path default_file();

  std::size_t size() const { return labels_.size(); }
  int image_size() const { return size_; }
  // The 8-bit cell as stored in digits.png (20x20, white on black).
  const cv::Mat& cell(std::size_t i) const { return cells_.at(i); }
  int label(std::size_t i) const { return labels_.at(i); }
  const std::vector<int>& labels() const { return labels_; }
  // The prepared image: CV_32F, size x size, values in [-1, 1].
  const cv::Mat& image(std::size_t i) const { return images_.at(i); }
  // Copies images `indices` into an NCHW buffer (N x 1 x size x size), row-major.
  void gather(const std::vector<std::size_t>& indices, std::vector<float>& out) const;

 private:
  int size_ = kDigitsCell;
  std::vector<cv::Mat> cells_;
  std::vector<cv::Mat> images_;
  std::vector<int> labels_;
};

// Prepares one 8-bit white-on-black digit for the networks: pad (a cell no larger than size:
// centred on black) or resize (area when shrinking, linear when growing) to size x size, mapped to
// [-1, 1] as CV_32F.
cv::Mat prepare_digit(const cv::Mat& gray8, int size, DigitFit fit = DigitFit::pad);
// The inverse for a generated 8-bit image: the centre cell x cell crop (pad) or an INTER_AREA
// reduction (resize) — a digits.png-like cell for the classifier.
cv::Mat cell_from_image(const cv::Mat& image8, int cell, DigitFit fit);
// The inverse mapping of a generator output (CV_32F in [-1, 1]) to 8-bit [0, 255] (saturated).
cv::Mat to_8bit(const cv::Mat& image_pm1);

}  // namespace cvpipe::gan
