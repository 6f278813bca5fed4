// Recipe loader (see recipe.hpp).
#include "recipe.hpp"

#include "suggest.hpp"
#include "yaml_doc.hpp"

namespace cvpipe {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kRecipeKeys = {"plugin", "command", "params", "description"};

void load(YamlDoc& doc, const fs::path& base, const PluginRegistry& reg, const std::vector<std::string>& sets,
          RecipeSpec& r) {
  YAML::Node& root = doc.root();
  if (!root.IsDefined() || root.IsNull()) {
    doc.error(root, "the recipe is empty: it needs {plugin: NAME, command: train, params: {...}}");
    return;
  }
  if (!root.IsMap()) {
    doc.error(root, "the recipe must be a map {plugin: NAME, command: train, params: {...}}");
    return;
  }
  // --set KEY=VALUE and --set params.KEY=VALUE address params.KEY.
  for (const auto& arg : sets) {
    std::string key, value;
    if (!split_assignment(arg, key, value)) {
      doc.diagnostics().error({}, "--set " + arg + ": expected KEY=VALUE, e.g. epochs=5");
      continue;
    }
    if (key.rfind("params.", 0) == 0) key = key.substr(7);
    if (key.empty() || key.find('.') != std::string::npos) {
      doc.diagnostics().error({}, "--set " + arg.substr(0, arg.find('=')) + ": expected a parameter name (KEY or params.KEY)");
      continue;
    }
    YAML::Node params = root["params"];
    if (params.IsDefined() && !params.IsNull() && !params.IsMap()) {
      doc.diagnostics().error({}, "--set " + key + ": the recipe's 'params' is not a map");
      continue;
    }
    YAML::Node v(value);
    params[key] = v;
    doc.note_override(v, key, "--set " + arg);
  }
  const YAML::Node& croot = root;
  doc.check_keys(croot, kRecipeKeys, "the recipe");
  r.where = doc.where(croot);
  const YAML::Node plugin_node = croot["plugin"];
  if (!plugin_node) {
    doc.error(croot, "the recipe needs 'plugin': the plugin whose command runs");
    return;
  }
  if (!doc.text(plugin_node, r.plugin, "'plugin'")) return;
  const LoadedPlugin* plugin = reg.find_plugin(r.plugin);
  if (!plugin) {
    std::vector<std::string> names;
    for (const auto& p : reg.plugins()) names.push_back(p->name);
    doc.error(plugin_node, "unknown plugin '" + r.plugin + "'" + did_you_mean(r.plugin, names) +
                               (names.empty() ? "; no plugins are loaded" : "; loaded plugins: " + join_names(names)));
    return;
  }
  const YAML::Node command_node = croot["command"];
  if (command_node && !doc.text(command_node, r.command, "'command'")) return;
  const CommandInfo* info = reg.find_command(r.plugin, r.command);
  if (!info) {
    std::vector<std::string> names;
    for (const auto* c : reg.commands_of(*plugin)) names.push_back(c->entry->name);
    doc.error(command_node ? command_node : plugin_node,
              "plugin '" + r.plugin + "' has no command '" + r.command + "'" + did_you_mean(r.command, names) +
                  (names.empty() ? "; it has no commands" : "; its commands: " + join_names(names)));
    return;
  }
  r.dir = base;
  validate_map(info->params, croot["params"], {},
               doc.validation(base, "command '" + r.plugin + " " + r.command + "'", "parameter", croot), r.params);
}

}  // namespace

Status load_recipe(const fs::path& file, const PluginRegistry& registry, const std::vector<std::string>& set_overrides,
                   RecipeSpec& out) {
  Diagnostics diags;
  YamlDoc doc(file.string(), diags);
  if (!doc.load_file(file)) {
    std::error_code ec;
    return diags.to_status(fs::exists(file, ec) ? StatusCode::invalid_argument : StatusCode::not_found);
  }
  std::error_code ec;
  RecipeSpec r;
  r.file = fs::absolute(file, ec).lexically_normal();
  load(doc, r.file.parent_path(), registry, set_overrides, r);
  if (!diags.empty()) return diags.to_status();
  out = std::move(r);
  return {};
}

Status load_recipe_text(const std::string& yaml, const std::string& file_name, const fs::path& base_dir,
                        const PluginRegistry& registry, const std::vector<std::string>& set_overrides, RecipeSpec& out) {
  Diagnostics diags;
  YamlDoc doc(file_name, diags);
  if (!doc.load_text(yaml)) return diags.to_status();
  std::error_code ec;
  const fs::path base = (base_dir.empty() ? fs::current_path(ec) : fs::absolute(base_dir, ec)).lexically_normal();
  RecipeSpec r;
  load(doc, base, registry, set_overrides, r);
  if (!diags.empty()) return diags.to_status();
  out = std::move(r);
  return {};
}

bool looks_like_recipe(const fs::path& file) {
  Diagnostics diags;
  YamlDoc doc(file.string(), diags);
  if (!doc.load_file(file)) return false;
  const YAML::Node& root = doc.root();
  return root.IsMap() && root["plugin"] && !root["source"];
}

}  // namespace cvpipe
