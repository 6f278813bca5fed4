// Preprocessing with OpenCV: any picture -> the float CHW input a classify model expects.
//
// Steps (prepare_input):
//  1. to_unit(): any depth (8U, 16U, 32F/64F in [0, 1]) and any channel count (gray, BGR, BGRA)
//     -> CV_32F in [0, 1] with the model's channel count (gray <-> BGR conversions by OpenCV).
//  2. Domain mapping (InputMode::automatic, domain "digits" only) — normalize_digit(): a picture
//     that already is a digits.png-style cell (is_digit_cell) is only resized to 20x20 (a 20x20
//     cell is returned unchanged, so it gets the same input as `cvpipe eval`); any other:
//       a. polarity: ink is the minority of the picture's two Otsu classes; if it is the dark
//          one (dark ink on light paper), invert, so ink is bright on dark like digits.png;
//       b. background removal: subtract the border's median, find ink with Otsu's threshold;
//          of its connected components, those touching (within 2%) the picture's border (grid
//          lines, page edges) are ignored when a sizeable one does not, and specks (under 2% of the largest)
//          are dropped; contrast is stretched so the ink core is 1;
//       c. keep only the ink (the kept components, grown by 2 px for their soft edges), scale it
//          so the longer side of its Otsu bounding box is 14.3 px (aspect kept) and put it in a
//          20x20 black cell with its centre of mass at (9.85, 9.85) — how the digits.png cells
//          are drawn (both numbers measured over the digits.png cells with the same Otsu rule).
//     A blank image (no ink) becomes an all-black cell.
//  3. fit_to_input(): pad | resize | letterbox to the model's input size (pad = centre on a black
//     canvas when it fits, else letterbox).
//  4. normalise: (x - mean[c]) / std[c], written channel-major (CHW).
// All functions are pure and thread-safe. Errors (empty image, unsupported depth) are Status values.
#pragma once
#include <string>

#include <opencv2/core.hpp>

#include "cvpipe/classify/classifier.hpp"
#include "cvpipe/classify/model_spec.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::classify {

inline constexpr int kDigitCell = 20;         // cell size of digits.png
inline constexpr double kDigitBox = 14.3;     // longer side of the (Otsu) ink box inside a cell
inline constexpr double kDigitCentre = 9.85;  // centre of mass of the ink (pixel index coordinates)

// Step 1. `channels` is 1 or 3. Fails on an empty image or an unsupported depth/channel count.
Status to_unit(const cv::Mat& image, int channels, cv::Mat& out);

// True for dark ink on light paper: Otsu's threshold splits the gray levels and the light side
// covers more than half of the picture (ink is the minority); an exact tie is decided by the
// border (outer ~5%): paper when its median is brighter than the picture's mean. CV_32FC1 input.
bool dark_on_light(const cv::Mat& gray);

// True when a CV_32FC1 [0, 1] picture is framed like a digits.png cell at any scale: square
// (within 5%), black border (median <= 0.05), light ink whose Otsu box's longer side is 45-80% of
// the side and whose centre of mass lies within 5% of the side of the cells' (9.85 of 20 px).
// Every one of the 5000 digits.png cells qualifies (test).
bool is_digit_cell(const cv::Mat& gray);

// Step 2: CV_32FC1 [0, 1] of any size -> a 20x20 CV_32FC1 digit cell (white on black).
cv::Mat normalize_digit(const cv::Mat& gray);

// Step 3: `fit` is "pad", "resize" or "letterbox"; empty areas are 0 (black).
cv::Mat fit_to_input(const cv::Mat& unit, int width, int height, const std::string& fit);

// Steps 1-4 into dst (spec.input_channels * input_height * input_width floats).
Status prepare_input(const cv::Mat& image, const ModelSpec& spec, InputMode mode, float* dst);

// Steps 1-3: the prepared image before normalisation (CV_32FC1/3 in [0, 1]), for display and tests.
Status prepare_image(const cv::Mat& image, const ModelSpec& spec, InputMode mode, cv::Mat& out);

}  // namespace cvpipe::classify
