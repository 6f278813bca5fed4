// The shared parts of train commands; see train_command.hpp.
#include "cvpipe/nn/train_command.hpp"

#include <nlohmann/json.hpp>

#include "cvpipe/nn/distributed.hpp"

namespace cvpipe::nn {

std::vector<ParamSpec> trainer_params(const RecipeDefaults& d, std::vector<ParamSpec> own) {
  std::vector<ParamSpec> shared = {
      ParamSpec::integer("steps", d.steps, 1, 1e9, "optimizer steps in total"),
      ParamSpec::number("lr", d.lr, 0.0, 1.0, "peak learning rate (cosine decay after a linear warm-up)"),
      ParamSpec::number("min_lr", d.min_lr, 0.0, 1.0, "learning rate at the end of the cosine decay"),
      ParamSpec::integer("warmup", d.warmup, 0, 1e9, "linear warm-up steps"),
      ParamSpec::integer("seed", 0, 0, 9.2e18, "seed of " + d.seeds),
      ParamSpec::number("time_limit", 0.0, 0.0, 1e6,
                        "stop after this many minutes and write the model; the cosine decay follows the larger of "
                        "step and time progress (0: no limit)"),
      ParamSpec::integer("log_every", d.log_every, 1, 1e9, "steps per metrics row"),
      ParamSpec::integer("checkpoint_every", d.checkpoint_every, 0, 1e9,
                         "steps between checkpoints (0: " + d.checkpoint_zero + ")"),
      ParamSpec::path("model", "", false, "model file to write (default, and always with --out: <out>/model.safetensors)"),
      ParamSpec::path("out", "", false,
                      "folder for metrics.csv, curves.png, checkpoints (--out wins; default: runs/<recipe name>)"),
  };
  for (auto& s : shared) own.push_back(std::move(s));
  return own;
}

std::string comma_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

TrainerOptions trainer_options(const Params& recipe, const CommandContext& ctx, TrainerOptions base) {
  base.steps = recipe.get_int("steps");
  base.seed = static_cast<std::uint64_t>(recipe.get_int("seed"));
  base.log_every = recipe.get_int("log_every");
  base.checkpoint_every = recipe.get_int("checkpoint_every");
  base.time_limit_s = recipe.get_number("time_limit") * 60.0;
  return with_command(ctx, std::move(base));
}

Status finish_training(const TrainResult& result, const Params& recipe, const CommandContext& ctx,
                       const SaveModelFn& save, std::string& output,
                       const std::function<Status(TrainedModel&)>& before_save) {
  if (result.outcome == TrainOutcome::failed) return result.status;
  nlohmann::json j;
  j["steps"] = result.steps;
  j["seconds"] = result.seconds;
  j["step_seconds"] = result.step_seconds;
  j["checkpoint"] = result.checkpoint.string();
  for (const auto& [k, v] : result.last_eval) j[k] = v;
  for (const auto& [k, v] : result.last_train) j[k] = v;
  if (result.ranks > 1) {
    j["ranks"] = result.ranks;
    j["allreduce_seconds"] = result.allreduce_seconds;
    j["allreduce_bytes_per_step"] = result.allreduce_bytes;
  }
  const bool time_up = result.stopped_by_time_limit;
  if (result.outcome == TrainOutcome::interrupted) {
    output = j.dump();
    return result.to_status();
  }
  if (dist::rank() != 0) {  // rank 0 writes the model
    output = j.dump();
    return {};
  }
  TrainedModel m{trained_by(recipe, ctx), {}};
  m.info.extra["train_steps"] = std::to_string(result.steps);
  if (time_up) m.info.extra["train_stopped_by_time_limit"] = "true";
  for (const auto& [k, v] : result.last_eval) m.info.extra[k] = std::to_string(v);
  if (before_save) {
    if (Status st = before_save(m); !st.ok()) return st;
  }
  const std::filesystem::path path = recipe.get_string("model");
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return Status::io("cannot create the folder of model '" + path.string() + "': " + ec.message());
  }
  if (Status st = save(path, m.info); !st.ok()) return st;
  for (const auto& [k, v] : m.summary) j[k] = v;
  j["stopped_by_time_limit"] = time_up;
  j["model"] = path.string();
  output = j.dump();
  return {};
}

}  // namespace cvpipe::nn
