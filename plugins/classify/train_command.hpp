// Command `train` of the classify plugin (`cvpipe train RECIPE`): trains a lenet or cnn classifier
// on the digits or a folder dataset with augmentation, on the nn engine's Trainer: progress line,
// metrics.csv, curves.png, periodic test evaluation, checkpoints (checkpoint.safetensors) and
// --resume, Ctrl-C = checkpoint + clean stop. Writes the model file (weights + ModelSpec metadata
// + training record) and confusion.png into the output folder, and prints a JSON summary:
// {"model":..,"test_accuracy":..,"test_accuracy_prepared_auto":..,"seconds":..,"steps":..,"out":..}.
// The dataset is decoded and preprocessed once; each epoch only augments and normalises.
#pragma once
#include <string>
#include <vector>

#include "cvpipe/plugin.hpp"

namespace cvpipe::classify {

std::vector<ParamSpec> train_params();
Status run_train(const Params& params, const CommandContext& ctx, std::string& output);

}  // namespace cvpipe::classify
