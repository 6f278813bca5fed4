// Command `train` of the gan plugin (`cvpipe train configs/train/gan_digits.yaml`): trains the
// class-conditional DCGAN on the digits train split (digits.png columns 0-49, brought to 32x32)
// with nn::Trainer (the plugin brings data, networks and step: gan_model.hpp) and writes the
// generator model file (EMA weights, BatchNorm statistics recalibrated).
// The output folder (--out > the recipe's `out` > runs/<recipe name>) gets metrics.csv and
// curves.png (D/G losses, D(x), D(G(z)), and eval metrics when a classifier is given), every
// `sample_every` steps samples/step_NNNNNN.png (one row per class, fixed latents), every
// `checkpoint_every` steps checkpoint.safetensors (continue with --resume), and grid.png at the
// end. Output: one JSON object (model, out, steps, seconds, final metrics).
#pragma once
#include <string>
#include <vector>

#include "cvpipe/plugin.hpp"

namespace cvpipe::gan {

std::vector<ParamSpec> train_params();
Status run_train(const Params& params, const CommandContext& ctx, std::string& output);

}  // namespace cvpipe::gan
