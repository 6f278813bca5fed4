// CIE Lab helpers shared by the colorize stage, its training and its evaluation. Lab is OpenCV's
// float Lab of BGR values in [0, 1]: L in [0, 100], a and b roughly in [-127, 127].
//
// Guarantees: to_lab() accepts 8-bit or 16-bit images with 1 (gray), 3 (BGR) or 4 (BGRA, alpha
// ignored) channels; a gray image gives a = b = 0 up to rounding. from_lab() clips to the
// displayable range and rounds to the requested depth. Errors are Status values, never throws.
#pragma once
#include <opencv2/core.hpp>

#include "cvpipe/status.hpp"

namespace cvpipe::colorize {

// Lab (CV_32FC3) of an image; invalid_argument / unsupported for empty or unsupported input.
Status to_lab(const cv::Mat& image, cv::Mat& lab);
// The L plane (CV_32FC1) of an image.
Status lightness(const cv::Mat& image, cv::Mat& l);
// BGR image of `depth` (CV_8U or CV_16U) from an L plane and an ab image (CV_32FC2) of the same size.
cv::Mat from_lab(const cv::Mat& l, const cv::Mat& ab, int depth);
// The grayscale picture of an image: its L with a = b = 0, as BGR of the image's depth.
cv::Mat gray_picture(const cv::Mat& image);

// Colourfulness of a BGR 8-bit image (Hasler & Suesstrunk 2003): sigma_rgyb + 0.3 * mu_rgyb with
// rg = R - G, yb = (R + G) / 2 - B. 0 for a gray picture.
double colorfulness(const cv::Mat& bgr);
// PSNR (dB) of two images of the same size and type over all channels, peak by depth; 100 when equal.
double psnr(const cv::Mat& a, const cv::Mat& b);

}  // namespace cvpipe::colorize
