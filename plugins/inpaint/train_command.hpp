// `cvpipe train configs/train/inpaint.yaml`: trains the inpainting network (network.hpp) on random
// patches of the training photographs (cvpipe/photos.hpp) with random free-form masks, through
// nn::Trainer (metrics.csv, curves.png, checkpoints, resume). Loss: L1 between the estimate and the
// original inside the hole (+ known_weight x L1 outside it, + grad_weight x L1 of the horizontal
// and vertical differences of the error at hole pixels). Validation: hole PSNR of the network and
// of Telea on centre crops of the held-out photos with fixed-seed masks. Writes the model file.
#pragma once
#include <string>
#include <vector>

#include "cvpipe/params.hpp"
#include "cvpipe/plugin.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::inpaint {

std::vector<ParamSpec> train_params();
Status run_train(const Params& params, const CommandContext& ctx, std::string& output);

}  // namespace cvpipe::inpaint
