// `cvpipe plugins [list | show NAME | check FILE.so | new NAME [DIR]] [--json]`: what the loaded
// plugins provide, and the plugin author's tools.
// list: each plugin (file, name, version), its stages (kind, summary) and commands, the built-in
// source and sink types, plugin files that were refused (with the reason) or ignored (misnamed);
// exit 0 even then: a broken file costs only its own stages. show NAME: a stage ("resize"
// or "imgproc.resize"), a plugin ("imgproc": all its stages and commands), a command
// ("classify.train"), or a built-in source/sink ("source.images", "sink.video"), with every
// parameter's type, default (or "required"), range/choices and doc. --json prints the same as JSON.
// check FILE.so: the conformance checks of plugin_check.hpp, one line each ("ok", "FAIL", "skip");
// exit 0 only when none fails, else 1. new NAME [DIR]: writes a plugin project (plugin_scaffold.hpp)
// into DIR (default ./NAME) and says how to build it.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

#include "cli_common.hpp"
#include "commands.hpp"
#include "config.hpp"
#include "io/io.hpp"
#include "plugin_check.hpp"
#include "plugin_scaffold.hpp"
#include "suggest.hpp"

namespace cvpipe::cli {

namespace {

using nlohmann::json;

struct PluginsArgs {
  std::vector<std::string> words;  // [] | [list] | [show, NAME]
  bool json = false;
  std::vector<std::string> plugin_paths;
  std::vector<std::string> sets;  // check: STAGE.PARAM=VALUE
};

json stage_json(const StageInfo& s, bool with_params) {
  json j{{"name", s.entry->name}, {"plugin", s.plugin->name}, {"kind", to_string(s.entry->kind)},
         {"summary", s.entry->summary ? s.entry->summary : ""}};
  if (with_params) {
    j["plugin_version"] = s.plugin->version;
    j["file"] = s.plugin->file.string();
    j["params"] = params_json(s.params);
    auto contract_json = [](const FrameContract& c) {
      json depths = json::array();
      for (int d : c.depths) depths.push_back(FrameContract::depth_text(d));
      return json{{"depths", depths}, {"channels", c.channels}, {"meta", c.meta}};
    };
    if (s.entry->kind != StageKind::source) j["accepts"] = contract_json(s.contract.input);
    if (s.entry->kind != StageKind::sink) j["emits"] = contract_json(s.contract.output);
    j["checks_params"] = s.entry->check_params != nullptr;
  }
  return j;
}

json command_json(const CommandInfo& c, bool with_params) {
  json j{{"name", c.entry->name}, {"plugin", c.plugin->name}, {"summary", c.entry->summary ? c.entry->summary : ""}};
  if (with_params) j["params"] = params_json(c.params);
  return j;
}

json plugin_json(const PluginRegistry& reg, const LoadedPlugin& p, bool with_params) {
  json stages = json::array(), commands = json::array();
  for (const auto* s : reg.stages_of(p)) stages.push_back(stage_json(*s, with_params));
  for (const auto* c : reg.commands_of(p)) commands.push_back(command_json(*c, with_params));
  return {{"name", p.name}, {"version", p.version}, {"file", p.file.string()}, {"stages", stages}, {"commands", commands}};
}

void print_stage(const StageInfo& s) {
  std::printf("stage %s (plugin %s %s, %s): %s\n", s.entry->name, s.plugin->name.c_str(), s.plugin->version.c_str(),
              to_string(s.entry->kind), s.entry->summary ? s.entry->summary : "");
  std::printf("  file: %s\n", s.plugin->file.c_str());
  if (s.entry->kind != StageKind::source) std::printf("  accepts: %s\n", s.contract.input.text().c_str());
  if (s.entry->kind != StageKind::sink) std::printf("  emits: %s\n", s.contract.output.text().c_str());
  const std::string name = s.entry->name;
  const std::string use = s.entry->kind == StageKind::source ? "source: {type: " + name + ", params: {...}}"
                          : s.entry->kind == StageKind::sink ? "sinks: [{type: " + name + ", params: {...}}]"
                                                             : "stages: [{stage: " + name + ", params: {...}}]";
  std::printf("  use: %s\n  parameters:\n%s", use.c_str(), param_table(s.params, "    ").c_str());
}

void print_command(const CommandInfo& c) {
  std::printf("command %s %s (plugin %s %s): %s\n", c.plugin->name.c_str(), c.entry->name, c.plugin->name.c_str(),
              c.plugin->version.c_str(), c.entry->summary ? c.entry->summary : "");
  const std::string verb = c.entry->name;
  std::string how = "(not exposed by the CLI)";
  if (verb == "train") how = "cvpipe train RECIPE  (a recipe {plugin: " + c.plugin->name + ", params: {...}})";
  if (verb == "eval") how = "cvpipe eval " + c.plugin->name + " --KEY VALUE ... [--json]";
  std::printf("  run: %s\n  parameters:\n%s", how.c_str(), param_table(c.params, "    ").c_str());
}

int list(const PluginsArgs& a) {
  PluginRegistry registry;
  std::vector<std::filesystem::path> dirs(a.plugin_paths.begin(), a.plugin_paths.end());
  if (Status st = registry.load_all(dirs); !st.ok()) {
    print_error(st.message());
    return kExitUsage;
  }
  const std::vector<Status>& refused = registry.refused();
  if (a.json) {
    json plugins = json::array();
    for (const auto& p : registry.plugins()) plugins.push_back(plugin_json(registry, *p, false));
    json r = json::array();
    for (const auto& s : refused) r.push_back(s.message());
    json ignored = json::array();
    for (const auto& f : registry.ignored()) ignored.push_back(f.string());
    json out{{"plugins", plugins}, {"sources", config_source_types()}, {"sinks", io::sink_types()}, {"refused", r},
             {"ignored", ignored}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    if (registry.plugins().empty()) std::printf("no plugins found (search path: --plugin-path, CVPIPE_PLUGIN_PATH, build and install folders)\n");
    for (const auto& p : registry.plugins()) {
      std::printf("%s %s  %s\n", p->name.c_str(), p->version.c_str(), p->file.c_str());
      auto stages = registry.stages_of(*p);
      size_t w = 0;
      for (const auto* s : stages) w = std::max(w, std::strlen(s->entry->name));
      for (const auto* s : stages)
        std::printf("  stage    %-*s  %-9s  %s\n", static_cast<int>(w), s->entry->name, to_string(s->entry->kind),
                    s->entry->summary ? s->entry->summary : "");
      for (const auto* c : registry.commands_of(*p))
        std::printf("  command  %s  %s\n", c->entry->name, c->entry->summary ? c->entry->summary : "");
    }
    std::printf("built-in sources: %s\nbuilt-in sinks: %s\n", join_names(config_source_types()).c_str(),
                join_names(io::sink_types()).c_str());
  }
  if (!a.json) {
    for (const auto& s : refused) std::printf("refused: %s\n", s.message().c_str());
    for (const auto& f : registry.ignored())
      std::printf("ignored: %s (plugin files must be named libcvpipe_NAME.so)\n", f.c_str());
  }
  return kExitOk;
}

int show(const PluginsArgs& a, const std::string& name) {
  PluginRegistry registry;
  if (!load_plugins(registry, a.plugin_paths)) return kExitUsage;

  // Built-in sources and sinks: "source.images", "sink.video".
  for (const std::string kind : {"source", "sink"}) {
    if (name.rfind(kind + ".", 0) != 0) continue;
    const std::string type = name.substr(kind.size() + 1);
    const auto* schema = kind == "source" ? io::source_params(type) : io::sink_params(type);
    if (!schema && !(kind == "source" && type == "generate")) break;
    std::vector<ParamSpec> params = schema ? *schema : std::vector<ParamSpec>{};
    if (a.json) {
      json j{{"name", type}, {"builtin", kind}, {"params", params_json(params)}};
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::printf("built-in %s '%s'\n  options:\n%s", kind.c_str(), type.c_str(), param_table(params, "    ").c_str());
      if (type == "generate") std::printf("  also: stage (a source stage's name), params (that stage's parameters)\n");
    }
    return kExitOk;
  }
  if (const StageInfo* s = registry.find_stage(name)) {
    if (a.json) std::printf("%s\n", stage_json(*s, true).dump(2).c_str());
    else print_stage(*s);
    return kExitOk;
  }
  if (const LoadedPlugin* p = registry.find_plugin(name)) {
    if (a.json) {
      std::printf("%s\n", plugin_json(registry, *p, true).dump(2).c_str());
    } else {
      std::printf("plugin %s %s  %s\n\n", p->name.c_str(), p->version.c_str(), p->file.c_str());
      for (const auto* s : registry.stages_of(*p)) { print_stage(*s); std::printf("\n"); }
      for (const auto* c : registry.commands_of(*p)) { print_command(*c); std::printf("\n"); }
    }
    return kExitOk;
  }
  if (auto dot = name.find('.'); dot != std::string::npos) {
    if (const CommandInfo* c = registry.find_command(name.substr(0, dot), name.substr(dot + 1))) {
      if (a.json) std::printf("%s\n", command_json(*c, true).dump(2).c_str());
      else print_command(*c);
      return kExitOk;
    }
  }
  std::vector<std::string> names = registry.stage_names();
  for (const auto& p : registry.plugins()) names.push_back(p->name);
  for (const auto& t : config_source_types()) names.push_back("source." + t);
  for (const auto& t : io::sink_types()) names.push_back("sink." + t);
  print_error("no stage, plugin or command named '" + name + "'" + did_you_mean(name, names) +
              "; run `cvpipe plugins list` to see what is loaded");
  return kExitUsage;
}

int check(const PluginsArgs& a, const std::filesystem::path& file) {
  StageParamTexts params;
  for (const auto& set : a.sets) {
    const auto dot = set.find('.'), eq = set.find('=');
    if (dot == std::string::npos || eq == std::string::npos || dot == 0 || eq < dot + 2) {
      print_error("plugins check: --set '" + set + "' must read STAGE.PARAM=VALUE");
      return kExitUsage;
    }
    params[set.substr(0, dot)].emplace_back(set.substr(dot + 1, eq - dot - 1), set.substr(eq + 1));
  }
  const CheckSummary sum = check_plugin(file, params, [&](const CheckLine& l) {
    if (a.json) return;
    const char* tag = l.outcome == CheckOutcome::pass ? "ok  " : l.outcome == CheckOutcome::fail ? "FAIL" : "skip";
    std::printf("%s  %s\n", tag, l.text.c_str());
    std::fflush(stdout);
  });
  if (a.json) {
    json j{{"file", file.string()}, {"passed", sum.passed}, {"failed", sum.failed}, {"skipped", sum.skipped}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("%s: %d passed, %d failed, %d skipped\n", file.c_str(), sum.passed, sum.failed, sum.skipped);
  }
  return sum.failed == 0 ? kExitOk : kExitFailure;
}

int scaffold(const std::string& name, const std::filesystem::path& dir) {
  if (Status st = write_plugin_project(name, dir); !st.ok()) {
    print_error("plugins new: " + st.message());
    return kExitUsage;
  }
  std::printf("wrote the plugin project '%s' in %s\n"
              "  cmake -S %s -B %s/build -DCMAKE_PREFIX_PATH=<cvpipe install prefix> && cmake --build %s/build\n"
              "  ctest --test-dir %s/build && cvpipe plugins check %s/build/libcvpipe_%s.so\n",
              name.c_str(), dir.c_str(), dir.c_str(), dir.c_str(), dir.c_str(), dir.c_str(), dir.c_str(), name.c_str());
  return kExitOk;
}

int plugins(const PluginsArgs& a) {
  const auto& w = a.words;
  if (w.empty() || (w.size() == 1 && w[0] == "list")) return list(a);
  if (w.size() == 2 && w[0] == "show") return show(a, w[1]);
  if (w.size() == 2 && w[0] == "check") return check(a, w[1]);
  if ((w.size() == 2 || w.size() == 3) && w[0] == "new") return scaffold(w[1], w.size() == 3 ? w[2] : w[1]);
  if (w.size() == 1 && w[0] == "show") {
    print_error("plugins show: which one? e.g. `cvpipe plugins show resize` (see `cvpipe plugins list`)");
    return kExitUsage;
  }
  if (w.size() == 1 && (w[0] == "check" || w[0] == "new")) {
    print_error(w[0] == "check" ? "plugins check: which file? e.g. `cvpipe plugins check build/libcvpipe_mine.so`"
                                : "plugins new: which name? e.g. `cvpipe plugins new mystage`");
    return kExitUsage;
  }
  print_error("plugins: expected `list`, `show NAME`, `check FILE.so` or `new NAME [DIR]`, got '" + w[0] + "'" +
              did_you_mean(w[0], {"list", "show", "check", "new"}));
  return kExitUsage;
}

}  // namespace

Subcommand add_plugins_command(CLI::App& app) {
  auto args = std::make_shared<PluginsArgs>();
  CLI::App* cmd = app.add_subcommand("plugins", "list the loaded plugins, show a stage's parameters, check or create a plugin");
  cmd->add_option("ACTION", args->words,
                  "`list` (default), `show NAME` (a stage, plugin, plugin.command, source.TYPE or sink.TYPE), "
                  "`check FILE.so` (conformance checks) or `new NAME [DIR]` (a plugin project)")
      ->type_name("list | show NAME | check FILE.so | new NAME [DIR]")
      ->expected(0, 3);
  cmd->add_flag("--json", args->json, "print JSON");
  cmd->add_option("--set", args->sets, "check: a parameter value for a stage's run checks (repeatable)")
      ->type_name("STAGE.PARAM=VALUE");
  add_plugin_path_option(cmd, args->plugin_paths);
  return {cmd, [args] { return plugins(*args); }};
}

}  // namespace cvpipe::cli
