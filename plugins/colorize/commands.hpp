// The commands of the colorize and translate plugins (see README.md for parameters and outputs):
//   colorize.train   train the colourisation network (configs/train/colorize.yaml)
//   colorize.eval    PSNR / colourfulness of a model on colour photos made gray
//   translate.train  train a paired image-to-image network (configs/train/translate_*.yaml)
//   translate.eval   PSNR / L1 of a translation model on A/B pairs
#pragma once
#include <string>
#include <vector>

#include "cvpipe/plugin.hpp"

namespace cvpipe::colorize {

std::vector<ParamSpec> colorize_train_params();
Status run_colorize_train(const Params& params, const CommandContext& ctx, std::string& output);
std::vector<ParamSpec> colorize_eval_params();
Status run_colorize_eval(const Params& params, const CommandContext& ctx, std::string& output);

std::vector<ParamSpec> translate_train_params();
Status run_translate_train(const Params& params, const CommandContext& ctx, std::string& output);
std::vector<ParamSpec> translate_eval_params();
Status run_translate_eval(const Params& params, const CommandContext& ctx, std::string& output);

}  // namespace cvpipe::colorize
