// `cvpipe train` for the denoiser: trains a DenoiseNet on patches of the chosen photographs
// (patch_dataset.hpp) with Adam, a warm-up + cosine learning rate, MSE on the predicted noise,
// validation PSNR on held-out crops each epoch, metrics CSV + curves PNG + checkpoints in the
// output folder (nn::Trainer), --resume, and writes the model file at the end.
// The run() result is one JSON object: model path, steps, seconds, last validation PSNRs.
#pragma once
#include <string>
#include <vector>

#include "cvpipe/params.hpp"
#include "cvpipe/plugin.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::denoise {

std::vector<ParamSpec> train_params();
Status run_train(const Params& params, const CommandContext& ctx, std::string& output);

}  // namespace cvpipe::denoise
