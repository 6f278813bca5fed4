// What every `cvpipe train` command of a model plugin shares around nn::Trainer: the recipe
// parameters (trainer_params) and the end of the run (finish_training).
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "cvpipe/nn/metrics_log.hpp"
#include "cvpipe/nn/model_file.hpp"
#include "cvpipe/nn/trainer.hpp"
#include "cvpipe/params.hpp"
#include "cvpipe/plugin.hpp"

namespace cvpipe::nn {

// The plugin's defaults for the shared recipe parameters.
struct RecipeDefaults {
  std::int64_t steps = 1000;
  double lr = 1e-3;
  double min_lr = 1e-5;
  std::int64_t warmup = 100;
  std::int64_t log_every = 25;
  std::int64_t checkpoint_every = 0;
  // What checkpoint_every 0 means for this command (e.g. "every epoch").
  std::string checkpoint_zero = "at the end only";
  // What the seed seeds (e.g. "initialisation, patches and noise").
  std::string seeds = "initialisation and crops";
};

// The recipe parameters every train command declares: steps, lr, min_lr, warmup (the cosine
// schedule), seed, time_limit (minutes; the run stops, checkpoints and still writes the model),
// log_every, checkpoint_every, model (the file to write) and out (the output folder); after the
// command's own parameters `own`.
std::vector<ParamSpec> trainer_params(const RecipeDefaults& defaults, std::vector<ParamSpec> own = {});

// with_command(ctx, base) with the shared recipe parameters: steps, seed, log_every,
// checkpoint_every and time_limit (minutes -> time_limit_s).
TrainerOptions trainer_options(const Params& recipe, const CommandContext& ctx, TrainerOptions base = {});

// The model file a train command writes and the printed summary, as the command adds to them
// before the model is saved.
struct TrainedModel {
  ModelInfo info;   // trained_by(recipe, ctx) + train_steps, train_stopped_by_time_limit, last eval metrics
  Metrics summary;  // numbers the command adds to its printed JSON summary
};

// "a,b,c": a list of names as model-file extras record it (e.g. train_photos).
std::string comma_list(const std::vector<std::string>& names);

// Writes the model file `path` (the command's network save function).
using SaveModelFn = std::function<Status(const std::filesystem::path& path, const ModelInfo& info)>;

// The end of every train command, after Trainer::run() (a run stopped by the time limit is
// completed).
//   failed: returns the failure, output untouched.
//   interrupted: output = the summary, returns result.to_status() (cancelled,
//     naming the checkpoint to resume from); no model is written.
//   on ranks other than 0 of a data-parallel run: output = the summary, nothing is written.
//   otherwise: calls `before_save` (if any; an error is returned as is), creates the folder of the
//     recipe's `model` file, saves it through `save` and sets output to the summary.
// The summary is one JSON object: steps, seconds, checkpoint, the last eval and train metrics,
// the command's numbers and, when a model was written, stopped_by_time_limit and model.
Status finish_training(const TrainResult& result, const Params& recipe, const CommandContext& ctx,
                       const SaveModelFn& save, std::string& output,
                       const std::function<Status(TrainedModel&)>& before_save = {});

}  // namespace cvpipe::nn
