// `cvpipe data GENERATOR [--KEY VALUE]... [--json]`: runs a dataset generator, i.e. the plugin
// command named "data:GENERATOR" (e.g. the detect plugin's "data:digit-scenes" for
// `cvpipe data digit-scenes --split train --count 1000 --seed 1 --out DIR`). Options are the
// command's parameters, parsed and validated as for `cvpipe eval`; `cvpipe data --help` lists the
// generators, `cvpipe data GENERATOR --help` their options. Prints the command's summary (a JSON
// object) on stdout. Exit: 0 ok, 1 failure, 2 usage error.
#include <cstdio>
#include <memory>

#include "cli_common.hpp"
#include "commands.hpp"
#include "suggest.hpp"

namespace cvpipe::cli {

namespace {

constexpr const char* kPrefix = "data:";

struct DataArgs {
  std::string generator;
  CommandOptions options;
  CLI::App* app = nullptr;
};

// Every "data:NAME" command of the loaded plugins.
std::vector<const CommandInfo*> generators(const PluginRegistry& registry) {
  std::vector<const CommandInfo*> out;
  for (const auto& p : registry.plugins())
    for (const auto* c : registry.commands_of(*p))
      if (std::string(c->entry->name).rfind(kPrefix, 0) == 0) out.push_back(c);
  return out;
}

int data(DataArgs& a) {
  PluginRegistry registry;
  if (!load_plugins(registry, a.options.plugin_paths)) return kExitUsage;
  const auto all = generators(registry);
  std::vector<std::string> names;
  for (const auto* c : all) names.push_back(std::string(c->entry->name).substr(std::string(kPrefix).size()));
  if (a.generator.empty()) {
    if (a.options.help) {
      std::printf("%s\nGenerators:\n", a.app->help().c_str());
      for (size_t i = 0; i < all.size(); ++i)
        std::printf("  %-16s %s (plugin %s)\n", names[i].c_str(), all[i]->entry->summary ? all[i]->entry->summary : "",
                    all[i]->plugin->name.c_str());
      return kExitOk;
    }
    print_error("data: which generator? " + (names.empty() ? std::string("no plugin provides one") : "one of: " + join_names(names)));
    return kExitUsage;
  }
  const CommandInfo* command = nullptr;
  for (size_t i = 0; i < all.size(); ++i)
    if (names[i] == a.generator) command = all[i];
  if (!command) {
    print_error("data: unknown generator '" + a.generator + "'" + did_you_mean(a.generator, names) +
                (names.empty() ? "; no plugin provides one" : "; available: " + join_names(names)));
    return kExitUsage;
  }
  if (a.options.help) {
    print_command_help(a.app, "data " + a.generator, *command);
    return kExitOk;
  }
  return run_command_with_options(*command, "data " + a.generator, a.app->remaining(), a.options);
}

}  // namespace

Subcommand add_data_command(CLI::App& app) {
  auto args = std::make_shared<DataArgs>();
  CLI::App* cmd = app.add_subcommand("data", "make a dataset with a plugin's generator (e.g. digit-scenes)");
  args->app = cmd;
  cmd->add_option("GENERATOR", args->generator, "the dataset generator, e.g. digit-scenes")->type_name("GENERATOR");
  add_command_options(cmd, args->options, "show this help, the generators, or a generator's options",
                      "print the summary as one JSON object");
  cmd->footer("Other options (--KEY VALUE) are the generator's parameters; see `cvpipe data GENERATOR --help`.");
  return {cmd, [args] { return data(*args); }};
}

}  // namespace cvpipe::cli
