// `cvpipe eval denoise --model M --images DIR --sigma 25 --seed 0 --json`: adds seeded Gaussian
// noise to each image (synthetic_noise.hpp), denoises it with the CNN and with the NL-means
// baseline (h = sigma, template 7, search 21), and prints one JSON object:
//   {"psnr","ssim","psnr_nlmeans","ssim_nlmeans","psnr_noisy","ms_per_mpix","ms_per_mpix_nlmeans","n", ...}
// (means over images; ms per megapixel over all images after one untimed warm-up). `--save DIR`
// writes side-by-side PNGs (noisy | nlmeans | cnn | clean) per image. Without --images the
// held-out photos of the sample folder are used (cvpipe/photos.hpp).
#pragma once
#include <string>
#include <vector>

#include "cvpipe/params.hpp"
#include "cvpipe/plugin.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::denoise {

std::vector<ParamSpec> eval_params();
Status run_eval(const Params& params, const CommandContext& ctx, std::string& output);

}  // namespace cvpipe::denoise
