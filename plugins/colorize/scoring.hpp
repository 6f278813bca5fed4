// Measuring a colorize model the one way eval, training validation and decoding tuning share:
// each colour photo becomes its grayscale picture (its L with a = b = 0, 1 channel 8-bit, what a
// user would feed in), the network colourises that, and the result is compared with the photo:
//   psnr          PSNR (dB, 8-bit BGR) of the colourised picture against the photo
//   psnr_gray     PSNR of the grayscale picture (as BGR) against the photo: the baseline
//   colorfulness  Hasler & Suesstrunk colourfulness of the colourised picture; _truth: of the photo
// Means over the photos.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "colorize_net.hpp"

namespace cvpipe::colorize {

struct Scores {
  double psnr = 0, psnr_gray = 0, colorfulness = 0, colorfulness_truth = 0;
  int n = 0;
  double colorfulness_ratio() const { return colorfulness_truth > 0 ? colorfulness / colorfulness_truth : 0; }
};

// The grayscale picture of an 8-bit BGR photo: 1 channel, the value every channel of L (a = b = 0) has.
cv::Mat grayscale_picture(const cv::Mat& bgr);

// One photo ready for scoring under many decodings: the logits are computed once.
struct Prepared {
  cv::Mat truth;      // BGR 8-bit
  cv::Mat gray;       // its grayscale picture (1 channel)
  cv::Mat l;          // L of `gray`
  nn::Tensor logits;  // network output for `l`
  nn::Tensor logits_flip_average;  // the same with flip averaging (when prepared with it)
};
Prepared prepare(ColorizeNet& net, const cv::Mat& truth_bgr, bool with_flip_average = false);
// The colourised picture of a prepared photo under `d` (BGR 8-bit; d.flip_average needs a photo
// prepared with it).
cv::Mat render(const ColorizeNet& net, const Prepared& p, Decoding d);
// Mean scores of `photos` under `d`.
Scores score(const ColorizeNet& net, const std::vector<Prepared>& photos, Decoding d);

struct TuneOptions {
  double psnr_margin = 0.2;         // required PSNR gain over the grayscale pictures (dB)
  double target_colorfulness = 0.7; // colourfulness ratio that is enough
};
// Picks the decoding on `photos` from a grid (flip averaging when the photos were prepared with it,
// cast removal, prior correction, temperature, confidence exponent, saturation): among the decodings whose PSNR beats the gray pictures by
// psnr_margin, the highest PSNR among those reaching target_colorfulness, else the most colourful;
// with none beating the margin, the highest PSNR. `table` gets every candidate's scores.
Decoding tune_decoding(const ColorizeNet& net, const std::vector<Prepared>& photos, const TuneOptions& o, nlohmann::json& table);

}  // namespace cvpipe::colorize
