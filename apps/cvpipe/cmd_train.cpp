// `cvpipe train RECIPE [--set K=V]... [--out DIR] [--resume CKPT] [--threads N] [--quiet]`:
// loads a recipe {plugin, command (default train), params}, validates the params against the
// plugin command's schema (FILE:LINE:COL errors; --set KEY=VALUE addresses params.KEY), resolves
// the output folder, the model file and the threads with the rule of CommandContext (the command
// line over the recipe over the default) and runs it.
// Exit: 0 ok, 1 failure, 2 recipe/usage error, 130 interrupted (the trainer checkpointed).
#include <memory>

#include "cli_common.hpp"
#include "commands.hpp"
#include "recipe.hpp"

namespace cvpipe::cli {

namespace {

struct TrainArgs {
  std::string recipe;
  std::vector<std::string> sets;
  std::string out;
  std::string resume;
  int threads = 0;
  bool quiet = false;
  std::vector<std::string> plugin_paths;
};

// True when --set gave `key` (as KEY or params.KEY).
bool set_on_command_line(const std::vector<std::string>& sets, const std::string& key) {
  for (const auto& s : sets)
    if (s.rfind(key + "=", 0) == 0 || s.rfind("params." + key + "=", 0) == 0) return true;
  return false;
}

bool declares(const CommandInfo& command, const std::string& name) {
  for (const auto& p : command.params)
    if (p.name == name) return true;
  return false;
}

int train(const TrainArgs& a) {
  PluginRegistry registry;
  if (!load_plugins(registry, a.plugin_paths)) return kExitUsage;
  RecipeSpec recipe;
  if (Status st = load_recipe(a.recipe, registry, a.sets, recipe); !st.ok()) {
    print_diagnostics(st);
    return kExitUsage;
  }
  const CommandInfo* command = registry.find_command(recipe.plugin, recipe.command);
  CommandContext ctx;
  ctx.config_dir = recipe.dir;
  std::error_code ec;
  // out: --out > the recipe's `out` > runs/<recipe name>.
  const std::string recipe_out = recipe.params.has("out") ? recipe.params.get_string("out") : std::string();
  const std::filesystem::path out = !a.out.empty()        ? std::filesystem::path(a.out)
                                    : !recipe_out.empty() ? std::filesystem::path(recipe_out)
                                                          : std::filesystem::path("runs") / recipe.file.stem();
  ctx.out_dir = std::filesystem::absolute(out, ec).lexically_normal();
  if (declares(*command, "out")) recipe.params.set("out", ctx.out_dir.string());
  // model: --set model > <out>/model.safetensors with --out > the recipe's `model` > <out>/model.safetensors.
  if (declares(*command, "model")) {
    const std::string recipe_model = recipe.params.get_string("model");
    if (!set_on_command_line(a.sets, "model") && (!a.out.empty() || recipe_model.empty()))
      recipe.params.set("model", (ctx.out_dir / "model.safetensors").string());
  }
  // threads: --threads > the recipe's `threads` > 0 (all cores).
  ctx.threads = a.threads > 0 ? a.threads : recipe.params.has("threads") ? static_cast<int>(recipe.params.get_int("threads")) : 0;
  if (!a.resume.empty()) {
    ctx.resume = std::filesystem::absolute(a.resume, ec).lexically_normal();
    if (!std::filesystem::exists(ctx.resume, ec)) {
      print_error("--resume " + a.resume + ": no such checkpoint file");
      return kExitUsage;
    }
  }
  ctx.quiet = a.quiet;
  ctx.command_line = "cvpipe train " + a.recipe;
  for (const auto& set : a.sets) ctx.command_line += " --set " + set;
  if (!a.out.empty()) ctx.command_line += " --out " + a.out;
  if (!a.resume.empty()) ctx.command_line += " --resume " + a.resume;
  if (a.threads > 0) ctx.command_line += " --threads " + std::to_string(a.threads);
  return run_plugin_command(*command, recipe.params, ctx, true);
}

}  // namespace

Subcommand add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "train a model from a recipe {plugin: NAME, params: {...}}");
  cmd->add_option("RECIPE", args->recipe, "recipe YAML file (e.g. configs/train/classify_digits.yaml)")
      ->required()
      ->type_name("RECIPE");
  cmd->add_option("--set", args->sets, "override a recipe parameter (KEY or params.KEY)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--out", args->out, "output folder for checkpoints, metrics and the model (over the recipe's out and model)")
      ->type_name("DIR");
  cmd->add_option("--resume", args->resume, "continue from this checkpoint")->type_name("CHECKPOINT");
  cmd->add_option("--threads,-j", args->threads, "threads (0: all cores)")->check(CLI::NonNegativeNumber)->type_name("N");
  cmd->add_flag("--quiet,-q", args->quiet, "no progress output");
  add_plugin_path_option(cmd, args->plugin_paths);
  return {cmd, [args] { return train(*args); }};
}

}  // namespace cvpipe::cli
