// Recipe loader for `cvpipe train` (and `validate` on a recipe): YAML
// `{plugin: NAME, command: train, params: {...}}` -> validated RecipeSpec. The params are checked
// against the plugin CommandEntry's schema like stage parameters (relative paths resolve against
// the recipe's folder). `--set KEY=VALUE` (or params.KEY=VALUE) overrides params.KEY (a relative
// path given that way resolves against the working directory).
// Errors as in config.hpp: complete `FILE:LINE:COL: error: ...` / `cvpipe: error: ...` lines.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "plugin_registry.hpp"
#include "spec.hpp"

namespace cvpipe {

struct RecipeSpec {
  std::filesystem::path file;  // absolute; empty for text
  std::filesystem::path dir;   // where relative paths resolved
  std::string plugin;
  std::string command = "train";
  Params params;
  Location where;
};

Status load_recipe(const std::filesystem::path& file, const PluginRegistry& registry,
                   const std::vector<std::string>& set_overrides, RecipeSpec& out);
Status load_recipe_text(const std::string& yaml, const std::string& file_name, const std::filesystem::path& base_dir,
                        const PluginRegistry& registry, const std::vector<std::string>& set_overrides, RecipeSpec& out);

// True when a parsed YAML file looks like a recipe (has `plugin:` and no `source:`), for `validate`.
bool looks_like_recipe(const std::filesystem::path& file);

}  // namespace cvpipe
