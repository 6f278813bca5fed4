// DigitsDataset: see digits_dataset.hpp.
#include "digits_dataset.hpp"

#include <cstring>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/digits.hpp"

namespace cvpipe::gan {

std::filesystem::path DigitsDataset::default_file() { return digits_file(); }

const char* to_string(DigitFit fit) { return fit == DigitFit::pad ? "pad" : "resize"; }

bool parse_fit(const std::string& text, DigitFit& out) {
  if (text == "pad") out = DigitFit::pad;
  else if (text == "resize") out = DigitFit::resize;
  else return false;
  return true;
}

cv::Mat prepare_digit(const cv::Mat& gray8, int size, DigitFit fit) {
  cv::Mat resized;
  if (fit == DigitFit::pad && gray8.rows <= size && gray8.cols <= size) {
    const int top = (size - gray8.rows) / 2, left = (size - gray8.cols) / 2;
    cv::copyMakeBorder(gray8, resized, top, size - gray8.rows - top, left, size - gray8.cols - left,
                       cv::BORDER_CONSTANT, cv::Scalar(0));
  } else if (gray8.rows == size && gray8.cols == size) {
    resized = gray8;
  } else {
    const int interp = (gray8.rows > size || gray8.cols > size) ? cv::INTER_AREA : cv::INTER_LINEAR;
    cv::resize(gray8, resized, cv::Size(size, size), 0, 0, interp);
  }
  cv::Mat out;
  resized.convertTo(out, CV_32F, 2.0 / 255.0, -1.0);
  return cv::min(out, 1.0);  // 255 maps to 1 + rounding otherwise
}

cv::Mat cell_from_image(const cv::Mat& image8, int cell, DigitFit fit) {
  if (image8.rows == cell && image8.cols == cell) return image8;
  if (fit == DigitFit::pad && image8.rows >= cell && image8.cols >= cell)
    return image8(cv::Rect((image8.cols - cell) / 2, (image8.rows - cell) / 2, cell, cell)).clone();
  cv::Mat out;
  cv::resize(image8, out, cv::Size(cell, cell), 0, 0, cv::INTER_AREA);
  return out;
}

cv::Mat to_8bit(const cv::Mat& image_pm1) {
  cv::Mat out;
  image_pm1.convertTo(out, CV_8U, 127.5, 127.5);
  return out;
}

Status DigitsDataset::load(const std::filesystem::path& file, DigitsSplit split, int size, DigitsDataset& out,
                          DigitFit fit) {
  if (size < 8 || size > 256) return Status::invalid("digits: image size " + std::to_string(size) + " is outside [8, 256]");
  DigitCells read;
  CVPIPE_RETURN_IF_ERROR(read_digits(file, split.first_column, split.last_column, read));
  DigitsDataset ds;
  ds.size_ = size;
  for (const cv::Mat& cell : read.cells) ds.images_.push_back(prepare_digit(cell, size, fit));
  ds.cells_ = std::move(read.cells);
  ds.labels_ = std::move(read.labels);
  out = std::move(ds);
  return {};
}

void DigitsDataset::gather(const std::vector<std::size_t>& indices, std::vector<float>& out) const {
  const std::size_t plane = static_cast<std::size_t>(size_) * static_cast<std::size_t>(size_);
  out.resize(indices.size() * plane);
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const cv::Mat& im = images_.at(indices[k]);
    std::memcpy(out.data() + k * plane, im.ptr<float>(), plane * sizeof(float));
  }
}

}  // namespace cvpipe::gan
