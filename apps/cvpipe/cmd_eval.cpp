// `cvpipe eval PLUGIN [--KEY VALUE]... [--json]`: runs the plugin's "eval" command. Options other
// than the CLI's own (--json, --threads, --quiet, --plugin-path, --help) are the command's
// parameters: `--key value`, `--key=value`, `--flag` / `--no-flag` for booleans; dashes in keys
// may be written as underscores or dashes. They are validated against the command's schema
// (unknown options get "did you mean"). Prints the command's output (a JSON object) on stdout:
// as is with --json, else as "key: value" lines. `cvpipe eval PLUGIN --help` lists its options.
#include <cstdio>
#include <memory>

#include "cli_common.hpp"
#include "commands.hpp"
#include "schema.hpp"
#include "suggest.hpp"

namespace cvpipe::cli {

namespace {

struct EvalArgs {
  std::string plugin;
  CommandOptions options;
  CLI::App* app = nullptr;
};

int eval(EvalArgs& a) {
  if (a.plugin.empty()) {
    if (a.options.help) {
      std::printf("%s", a.app->help().c_str());
      return kExitOk;
    }
    print_error("eval: which plugin? e.g. `cvpipe eval classify --help`");
    return kExitUsage;
  }
  PluginRegistry registry;
  if (!load_plugins(registry, a.options.plugin_paths)) return kExitUsage;
  const LoadedPlugin* plugin = registry.find_plugin(a.plugin);
  if (!plugin) {
    std::vector<std::string> names;
    for (const auto& p : registry.plugins()) names.push_back(p->name);
    print_error("eval: unknown plugin '" + a.plugin + "'" + did_you_mean(a.plugin, names) +
                (names.empty() ? "; no plugins are loaded" : "; loaded plugins: " + join_names(names)));
    return kExitUsage;
  }
  const CommandInfo* command = registry.find_command(a.plugin, "eval");
  if (!command) {
    print_error("eval: plugin '" + a.plugin + "' has no eval command");
    return kExitUsage;
  }
  if (a.options.help) {
    print_command_help(a.app, "eval " + a.plugin, *command);
    return kExitOk;
  }
  return run_command_with_options(*command, "eval " + a.plugin, a.app->remaining(), a.options);
}

}  // namespace

Subcommand add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "evaluate a model with a plugin's eval command; prints a JSON object");
  args->app = cmd;
  cmd->add_option("PLUGIN", args->plugin, "the plugin whose eval command runs")->type_name("PLUGIN");
  add_command_options(cmd, args->options, "show this help and the plugin's options", "print the result as one JSON object");
  cmd->footer("Other options (--KEY VALUE) are the plugin's eval parameters; see `cvpipe eval PLUGIN --help`.");
  return {cmd, [args] { return eval(*args); }};
}

}  // namespace cvpipe::cli
