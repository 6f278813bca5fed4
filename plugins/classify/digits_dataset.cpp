// The digits dataset: OpenCV's digits.png cut into 5000 labelled 20x20 cells (see dataset.hpp;
// the reading itself is the SDK's cvpipe/digits.hpp).
#include "cvpipe/classify/dataset.hpp"
#include "cvpipe/digits.hpp"

namespace cvpipe::classify {

Status load_digits(const std::filesystem::path& file, Split split, LabeledImages& out) {
  const int first = split == Split::test ? kDigitsColumns / 2 : 0;
  const int last = split == Split::train ? kDigitsColumns / 2 - 1 : kDigitsColumns - 1;
  DigitCells cells;
  CVPIPE_RETURN_IF_ERROR(read_digits(file, first, last, cells));
  LabeledImages d;
  for (int c = 0; c < kDigitsClasses; ++c) d.class_names.push_back(std::to_string(c));
  d.images = std::move(cells.cells);
  d.labels = std::move(cells.labels);
  d.description = "digits.png " + std::string(to_string(split)) + " (" + std::to_string(d.size()) + ")";
  out = std::move(d);
  return {};
}

}  // namespace cvpipe::classify
