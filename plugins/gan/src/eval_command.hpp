// Command `eval` of the gan plugin:
//   cvpipe eval gan --model models/gan_digits.safetensors --classifier models/classify_digits.safetensors
//                   --n 1000 --seed 0 --json
// prints {"confidence","class_accuracy","effective_classes","frechet_distance","frechet_real_vs_real","n"}
// (definitions in gan_metrics.hpp). --grid FILE also writes a per-class sample grid PNG.
#pragma once
#include <string>
#include <vector>

#include "cvpipe/plugin.hpp"

namespace cvpipe::gan {

std::vector<ParamSpec> eval_params();
Status run_eval(const Params& params, const CommandContext& ctx, std::string& output);

}  // namespace cvpipe::gan
