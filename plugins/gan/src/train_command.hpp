// Command `train` of the gan plugin (`cvpipe train configs/train/gan_digits.yaml`): trains the
// class-conditional DCGAN on the digits train split (digits.png columns 0-49, resized to 32x32)
// and writes the generator model file (EMA weights, BatchNorm statistics recalibrated).
// Every `sample_every` steps the run folder gets samples/step_NNNNNN.png (one row per class, fixed
// latents), metrics.csv and curves.png (D/G losses, D(x), D(G(z)), and eval metrics when a
// classifier is given); every `checkpoint_every` steps checkpoint.safetensors (resume with
// `--resume`). Output: one JSON object (model, steps, seconds, final metrics).
#pragma once
#include <string>
#include <vector>

#include "cvpipe/plugin.hpp"

namespace cvpipe::gan {

std::vector<ParamSpec> train_params();
Status run_train(const Params& params, const CommandContext& ctx, std::string& output);

}  // namespace cvpipe::gan
