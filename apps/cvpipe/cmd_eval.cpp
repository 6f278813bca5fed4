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
  bool json = false;
  bool help = false;
  int threads = 0;
  bool quiet = false;
  std::vector<std::string> plugin_paths;
  CLI::App* app = nullptr;
};

int eval(EvalArgs& a) {
  if (a.plugin.empty()) {
    if (a.help) {
      std::printf("%s", a.app->help().c_str());
      return kExitOk;
    }
    print_error("eval: which plugin? e.g. `cvpipe eval classify --help`");
    return kExitUsage;
  }
  PluginRegistry registry;
  if (!load_plugins(registry, a.plugin_paths)) return kExitUsage;
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
  if (a.help) {
    std::printf("%s\nOptions of `cvpipe eval %s` (%s):\n%s", a.app->help().c_str(), a.plugin.c_str(),
                command->entry->summary ? command->entry->summary : "", param_table(command->params, "  ").c_str());
    return kExitOk;
  }
  return run_command_with_options(*command, "eval " + a.plugin, a.app->remaining(), a.threads, a.quiet, a.json);
}

}  // namespace

Subcommand add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "evaluate a model with a plugin's eval command; prints a JSON object");
  args->app = cmd;
  cmd->set_help_flag();  // --help is handled here, to list the plugin's own options
  cmd->allow_extras();
  cmd->add_option("PLUGIN", args->plugin, "the plugin whose eval command runs")->type_name("PLUGIN");
  cmd->add_flag("--help,-h", args->help, "show this help and the plugin's options");
  cmd->add_flag("--json", args->json, "print the result as one JSON object");
  cmd->add_option("--threads,-j", args->threads, "threads (0: all cores)")->check(CLI::NonNegativeNumber)->type_name("N");
  cmd->add_flag("--quiet,-q", args->quiet, "no progress output");
  add_plugin_path_option(cmd, args->plugin_paths);
  cmd->footer("Other options (--KEY VALUE) are the plugin's eval parameters; see `cvpipe eval PLUGIN --help`.");
  return {cmd, [args] { return eval(*args); }};
}

}  // namespace cvpipe::cli
