// `cvpipe train RECIPE [--set K=V]... [--out DIR] [--resume CKPT] [--threads N] [--quiet]`:
// loads a recipe {plugin, command (default train), params}, validates the params against the
// plugin command's schema (FILE:LINE:COL errors; --set KEY=VALUE addresses params.KEY) and runs it.
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
  if (!a.out.empty()) ctx.out_dir = std::filesystem::absolute(a.out, ec).lexically_normal();
  if (!a.resume.empty()) {
    ctx.resume = std::filesystem::absolute(a.resume, ec).lexically_normal();
    if (!std::filesystem::exists(ctx.resume, ec)) {
      print_error("--resume " + a.resume + ": no such checkpoint file");
      return kExitUsage;
    }
  }
  ctx.threads = a.threads;
  ctx.quiet = a.quiet;
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
  cmd->add_option("--out", args->out, "output folder for checkpoints, metrics and the model")->type_name("DIR");
  cmd->add_option("--resume", args->resume, "continue from this checkpoint")->type_name("CHECKPOINT");
  cmd->add_option("--threads,-j", args->threads, "threads (0: all cores)")->check(CLI::NonNegativeNumber)->type_name("N");
  cmd->add_flag("--quiet,-q", args->quiet, "no progress output");
  add_plugin_path_option(cmd, args->plugin_paths);
  return {cmd, [args] { return train(*args); }};
}

}  // namespace cvpipe::cli
