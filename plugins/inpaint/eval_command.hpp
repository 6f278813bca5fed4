// `cvpipe eval inpaint --model M --images DIR --seed 0 --json`: draws a seeded free-form mask for
// each image (masks.hpp; image i uses derive_seed(seed, i) in file-name order; coverage between
// --coverage-min and --coverage-max), fills it with the network and with cv::inpaint's Telea and
// Navier-Stokes (radius 3), and prints one JSON object:
//   {"hole_psnr","hole_psnr_telea","hole_psnr_ns","ms_per_mpix","n","coverage","per_image",...}
// (hole PSNR: means over images of the PSNR inside the hole, hole_psnr.hpp; ms per megapixel of
// image for the network, after one untimed warm-up). The network path is the stage's (same
// tiling), so configs/inpaint.yaml over the same images and masks scores the same. `--masks DIR`
// writes the drawn masks as DIR/<stem>.png (the mask files the stage reads); `--save DIR` writes
// side-by-side PNGs (masked | telea | cnn | original). Without --images: the held-out photos
// (cvpipe/photos.hpp).
#pragma once
#include <string>
#include <vector>

#include "cvpipe/params.hpp"
#include "cvpipe/plugin.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::inpaint {

std::vector<ParamSpec> eval_params();
Status run_eval(const Params& params, const CommandContext& ctx, std::string& output);

}  // namespace cvpipe::inpaint
