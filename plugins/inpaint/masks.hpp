// Hole masks: the seeded free-form masks that training and `cvpipe eval inpaint` draw, and the
// mask sources of the `inpaint` stage (a key colour, detection boxes, mask files).
//
// A mask is CV_8UC1 of the image's size, 255 = hole (to fill), 0 = known. Free-form masks are a
// union of shapes of fixed absolute size (so a hole looks the same on a 96-pixel training patch
// and a 512-pixel photo): boxes of 12-48 px sides, brush strokes (polylines 3-12 px thick) and
// ellipse blobs, added until the hole covers the drawn target fraction of the image; a shape that
// would push the coverage above `max_coverage` is drawn again smaller or dropped.
// Guarantees: random_mask() is a pure function of (size, options, rng state); coverage ends in
// [min_coverage, max_coverage] whenever the image has at least 64 x 64 pixels. Thread-safe.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/frame.hpp"
#include "cvpipe/nn/random.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::inpaint {

struct MaskOptions {
  double min_coverage = 0.05;  // fraction of the image that is hole
  double max_coverage = 0.20;
};

cv::Mat random_mask(cv::Size size, const MaskOptions& options, nn::Rng& rng);

// Fraction of non-zero pixels.
double coverage(const cv::Mat& mask);

// Pixels equal to `bgr` (within `tolerance` 8-bit levels per channel; scaled for 16-bit images);
// gray images compare against the first value. Image: 8U or 16U, 1, 3 or 4 channels.
cv::Mat color_mask(const cv::Mat& image, const cv::Scalar& bgr, int tolerance);

// Parses "B,G,R" (0..255 each) or a name: magenta, green, red, blue, white, black.
Status parse_color(const std::string& text, cv::Scalar& out);

// The union of the detection boxes (rounded outwards, clipped to the image) whose label or
// class id is in `classes` (empty: every detection).
cv::Mat detection_mask(cv::Size size, const std::vector<Detection>& detections, const std::vector<std::string>& classes);

// Any non-zero pixel of a mask image of any depth/channels -> 255 (CV_8UC1).
cv::Mat binarize(const cv::Mat& mask);

// The mask file for image `source` in `dir`: the file with the same base name (stem) and an image
// extension (.png first, then .bmp, .tif, .tiff, .pgm, .ppm, .jpg, .jpeg); not_found names the folder and stem.
Status find_mask_file(const std::filesystem::path& dir, const std::string& source, std::filesystem::path& out);

}  // namespace cvpipe::inpaint
