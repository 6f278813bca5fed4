// The detect plugin's commands:
//   `cvpipe train` (recipe plugin: detect): trains the CenterNet-style detector (centernet.hpp) on
//       composed digit scenes or a COCO folder; writes the model, metrics.csv, curves.png, checkpoints.
//   `cvpipe data digit-scenes` (command "data:digit-scenes"): writes a COCO dataset of digit
//       scenes (digit_scenes.hpp); prints {"out","split","seed","images","boxes"}.
//   `cvpipe eval detect`: runs a detection backend over a COCO folder and prints
//       {"map50","map50_95","precision","recall","ms_per_image","n"} (average_precision.hpp);
//       --save DIR writes each image with its ground truth (left) beside the predictions (right).
#pragma once
#include <string>
#include <vector>

#include "cvpipe/plugin.hpp"

namespace cvpipe::detect {

std::vector<ParamSpec> digit_scenes_params();
Status run_digit_scenes(const Params& params, const CommandContext& ctx, std::string& output);

std::vector<ParamSpec> train_params();
Status run_train(const Params& params, const CommandContext& ctx, std::string& output);

std::vector<ParamSpec> eval_params();
Status run_eval(const Params& params, const CommandContext& ctx, std::string& output);

}  // namespace cvpipe::detect
