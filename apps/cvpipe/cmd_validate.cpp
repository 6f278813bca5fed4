// `cvpipe validate CONFIG`: checks everything that can be checked without running: the config
// (or a train recipe: a YAML file with `plugin:` and no `source:`) against the plugins' schemas,
// then creates and configures each stage (so bad model files are found too). Prints
// "CONFIG: ok (source images, 2 stages, 1 sink)" on stdout, or the errors; exit 0 or 2.
#include <cstdio>
#include <memory>

#include "cli_common.hpp"
#include "commands.hpp"
#include "config.hpp"
#include "diagnostic.hpp"
#include "recipe.hpp"

namespace cvpipe::cli {

namespace {

struct ValidateArgs {
  std::string file;
  std::vector<std::string> sets;
  std::vector<std::string> plugin_paths;
};

// Creates and configures a stage as the executor would; "" or the problem.
std::string try_configure(const PluginRegistry& registry, const std::string& stage, const std::string& instance,
                          const Params& params, const std::filesystem::path& config_dir) {
  StageHandle handle;
  if (Status st = registry.create_stage(stage, handle); !st.ok()) return st.message();
  StageContext ctx;
  ctx.instance_name = instance;
  ctx.config_dir = config_dir;
  ctx.threads = 1;
  ctx.quiet = true;
  Status st;
  try {
    st = handle->configure(params, ctx);
  } catch (const std::exception& e) {
    st = Status::runtime(std::string("configure threw: ") + e.what());
  } catch (...) {
    st = Status::runtime("configure threw an exception");
  }
  if (!st.ok()) return st.message();
  handle->close();
  return {};
}

int validate_recipe(const ValidateArgs& a, const PluginRegistry& registry) {
  RecipeSpec recipe;
  if (Status st = load_recipe(a.file, registry, a.sets, recipe); !st.ok()) {
    print_diagnostics(st);
    return kExitUsage;
  }
  std::printf("%s: ok (recipe: %s %s, %s)\n", a.file.c_str(), recipe.plugin.c_str(), recipe.command.c_str(),
              plural(recipe.params.values().size(), "parameter").c_str());
  return kExitOk;
}

int validate(const ValidateArgs& a) {
  PluginRegistry registry;
  if (!load_plugins(registry, a.plugin_paths)) return kExitUsage;
  if (looks_like_recipe(a.file)) return validate_recipe(a, registry);

  PipelineSpec spec;
  if (Status st = load_config(a.file, registry, a.sets, spec); !st.ok()) {
    print_diagnostics(st);
    return kExitUsage;
  }
  const auto dir = spec.config_file.parent_path();
  Diagnostics diags;
  if (spec.source.type == "generate") {
    if (auto e = try_configure(registry, spec.source.stage, spec.source.stage, spec.source.params, dir); !e.empty())
      diags.error(spec.source.where, "source stage '" + spec.source.stage + "': " + e);
  }
  for (const auto& s : spec.stages) {
    if (auto e = try_configure(registry, s.stage, s.name, s.params, dir); !e.empty())
      diags.error(s.where, "stage '" + s.name + "': " + e);
  }
  for (const auto& s : spec.sinks) {
    if (s.stage.empty()) continue;
    if (auto e = try_configure(registry, s.stage, s.stage, s.params, dir); !e.empty())
      diags.error(s.where, "sink stage '" + s.stage + "': " + e);
  }
  if (!diags.empty()) {
    print_diagnostics(diags.to_status());
    return kExitUsage;
  }
  std::printf("%s: ok (source %s, %s, %s)\n", a.file.c_str(), spec.source.type.c_str(),
              plural(spec.stages.size(), "stage").c_str(), plural(spec.sinks.size(), "sink").c_str());
  return kExitOk;
}

}  // namespace

Subcommand add_validate_command(CLI::App& app) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App* cmd = app.add_subcommand("validate", "check a pipeline config (or a train recipe) without running it");
  cmd->add_option("CONFIG", args->file, "pipeline YAML file or train recipe")->required()->type_name("CONFIG");
  cmd->add_option("--set", args->sets, "override a value, as for `cvpipe run` / `cvpipe train`")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  add_plugin_path_option(cmd, args->plugin_paths);
  return {cmd, [args] { return validate(*args); }};
}

}  // namespace cvpipe::cli
