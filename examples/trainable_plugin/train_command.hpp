// `cvpipe train` for the sharpen plugin: trains a SharpenNet to undo Gaussian blur on real photos.
//
// Data: random crops of the training photos (cvpipe/photos.hpp; gray), each blurred with a
// Gaussian of a random sigma in [blur_min, blur_max] plus a little noise, made on the fly; the
// target is the residual (original - blurred). Validation: centre crops of the held-out photos,
// blurred with val_blur, every epoch_steps steps: val_psnr (sharpened vs original) next to
// val_psnr_blurred (the blurred input vs original, the number to beat).
// The loop is nn::Trainer's (Adam, warm-up + cosine learning rate, metrics.csv, curves.png,
// checkpoints, --resume, Ctrl-C, time_limit); nn::finish_training writes the model file and prints
// the summary, one JSON object: steps, seconds, checkpoint, loss, train_psnr, val_psnr,
// val_psnr_blurred, stopped_by_time_limit, model.
#pragma once
#include <string>
#include <vector>

#include "cvpipe/params.hpp"
#include "cvpipe/plugin.hpp"
#include "cvpipe/status.hpp"

namespace sharpen {

std::vector<cvpipe::ParamSpec> train_params();
cvpipe::Status run_train(const cvpipe::Params& params, const cvpipe::CommandContext& ctx, std::string& output);

}  // namespace sharpen
