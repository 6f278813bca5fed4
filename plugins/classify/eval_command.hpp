// Command `eval` of the classify plugin:
//   cvpipe eval classify --model M --dataset digits --split test --json [--plot confusion.png]
// prints {"accuracy":..,"n":..,"per_class":[..],"ms_per_image":..,"class_names":[..],"confusion":[[..]],
// "model":..,"dataset":..} and writes a confusion-matrix PNG when `plot` is given.
// `prepare: none` (default) feeds the dataset images as the model saw them in training;
// `prepare: auto` runs the stage's domain mapping first (measures the real-world path).
#pragma once
#include <string>
#include <vector>

#include "cvpipe/plugin.hpp"

namespace cvpipe::classify {

std::vector<ParamSpec> eval_params();
Status run_eval(const Params& params, const CommandContext& ctx, std::string& output);

}  // namespace cvpipe::classify
