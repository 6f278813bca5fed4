// Shared pieces of the `cvpipe` subcommands (see cli_common.hpp).
#include "cli_common.hpp"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "cvpipe/nn/context.hpp"
#include "cvpipe/nn/distributed.hpp"
#include "diagnostic.hpp"
#include "schema.hpp"
#include "stop_signal.hpp"

namespace cvpipe::cli {

void print_error(const std::string& message) {
  std::fprintf(stderr, "cvpipe: error%s: %s\n", nn::dist::rank_label().c_str(), capped_message(message).c_str());
}

void print_warning(const std::string& message) { std::fprintf(stderr, "cvpipe: warning: %s\n", capped_message(message).c_str()); }

void print_diagnostics(const Status& status) { std::fprintf(stderr, "%s\n", capped_message(status.message()).c_str()); }

int exit_code_for(const Status& status) {
  switch (status.code()) {
    case StatusCode::ok: return kExitOk;
    case StatusCode::invalid_argument:
    case StatusCode::not_found: return kExitUsage;
    case StatusCode::cancelled: return kExitInterrupted;
    default: return kExitFailure;
  }
}

void add_plugin_path_option(CLI::App* app, std::vector<std::string>& dirs) {
  app->add_option("--plugin-path", dirs, "also load plugins from this folder (searched first; repeatable)")
      ->type_name("DIR")
      ->allow_extra_args(false);
}

bool load_plugins(PluginRegistry& registry, const std::vector<std::string>& dirs) {
  std::vector<std::filesystem::path> paths(dirs.begin(), dirs.end());
  Status st = registry.load_all(paths);
  if (!st.ok()) {
    print_error(st.message());
    return false;
  }
  // A broken plugin costs only its own stages: say so, and go on.
  for (const auto& r : registry.refused()) print_warning("plugin skipped: " + r.message());
  for (const auto& f : registry.ignored())
    print_warning("'" + f.string() + "' is not loaded: plugin files must be named libcvpipe_NAME.so");
  return true;
}

std::string plural(size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string param_table(const std::vector<ParamSpec>& params, const std::string& indent) {
  if (params.empty()) return indent + "(no parameters)\n";
  struct Row { std::string name, type, def, range, doc; };
  std::vector<Row> rows;
  rows.push_back({"NAME", "TYPE", "DEFAULT", "RANGE", "DOC"});
  for (const auto& p : params) {
    std::string def = p.default_value ? format_value(*p.default_value) : "required";
    if (p.default_value && def.empty()) def = "\"\"";
    rows.push_back({p.name, to_string(p.type), def, constraint_text(p), p.doc});
  }
  size_t w[4] = {0, 0, 0, 0};
  for (const auto& r : rows) {
    w[0] = std::max(w[0], r.name.size());
    w[1] = std::max(w[1], r.type.size());
    w[2] = std::max(w[2], r.def.size());
    w[3] = std::max(w[3], r.range.size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line = fmt::format("{}{:<{}}  {:<{}}  {:<{}}  {:<{}}  {}", indent, r.name, w[0], r.type, w[1], r.def,
                                   w[2], r.range, w[3], r.doc);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

nlohmann::json param_json(const ParamSpec& p) {
  nlohmann::json j;
  j["name"] = p.name;
  j["type"] = to_string(p.type);
  j["required"] = p.required();
  if (p.default_value) {
    std::visit([&](const auto& v) { j["default"] = v; }, *p.default_value);
  } else {
    j["default"] = nullptr;
  }
  if (p.min) j["min"] = *p.min;
  if (p.max) j["max"] = *p.max;
  if (!p.choices.empty()) j["choices"] = p.choices;
  if (!p.keywords.empty()) j["keywords"] = p.keywords;
  if (p.type == ParamType::path) j["must_exist"] = p.must_exist;
  j["doc"] = p.doc;
  return j;
}

nlohmann::json params_json(const std::vector<ParamSpec>& params) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& p : params) a.push_back(param_json(p));
  return a;
}

}  // namespace cvpipe::cli

namespace cvpipe::cli {

namespace {
// Prints a JSON object as "key: value" lines for people; anything else as is.
void print_output(const std::string& output, bool raw_json) {
  if (output.empty()) return;
  if (!raw_json) {
    auto j = nlohmann::json::parse(output, nullptr, false);
    if (!j.is_discarded() && j.is_object()) {
      for (const auto& [k, v] : j.items()) std::printf("%s: %s\n", k.c_str(), v.is_string() ? v.get<std::string>().c_str() : v.dump().c_str());
      std::fflush(stdout);
      return;
    }
  }
  std::fputs(output.c_str(), stdout);
  if (output.back() != '\n') std::fputc('\n', stdout);
  std::fflush(stdout);
}
}  // namespace

int run_plugin_command(const CommandInfo& command, const Params& params, CommandContext ctx, bool raw_json) {
  StopSignals signals;  // the one Ctrl-C handler: commands see it as ctx.stop
  ctx.stop = signals.flag();
  nn::set_num_threads(ctx.threads);  // the command's compute threads (0: all cores)
  std::string output;
  Status st = guard([&] { return command.entry->run(params, ctx, output); });
  if (nn::dist::rank() == 0) print_output(output, raw_json);  // the ranks' results agree: print once
  if (!st.ok()) {
    const std::string who = command.plugin->name + " " + command.entry->name;
    if (st.code() == StatusCode::cancelled) {
      if (!ctx.quiet) std::fprintf(stderr, "cvpipe: %s interrupted: %s\n", who.c_str(), capped_message(st.message()).c_str());
    } else {
      print_error(who + ": " + st.message());
    }
  }
  if (st.code() == StatusCode::cancelled && signals.signal_received()) return signals.exit_code();
  return exit_code_for(st);
}

}  // namespace cvpipe::cli

namespace cvpipe::cli {

namespace {

std::string normalize_key(std::string k) {
  for (auto& c : k)
    if (c == '-') c = '_';
  return k;
}

}  // namespace

bool parse_command_options(const std::string& verb, const std::vector<std::string>& extras,
                           const std::vector<ParamSpec>& schema, std::vector<std::pair<std::string, std::string>>& out) {
  for (size_t i = 0; i < extras.size(); ++i) {
    const std::string& tok = extras[i];
    if (tok.size() < 3 || tok.rfind("--", 0) != 0) {
      print_error(verb + ": unexpected argument '" + tok + "' (options are --KEY VALUE)");
      return false;
    }
    std::string key = tok.substr(2), value;
    bool has_value = false;
    if (auto eq = key.find('='); eq != std::string::npos) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
      has_value = true;
    }
    key = normalize_key(key);
    const ParamSpec* spec = find_param(schema, key);
    if (!has_value && !spec && key.rfind("no_", 0) == 0) {
      if (const ParamSpec* b = find_param(schema, key.substr(3)); b && b->type == ParamType::boolean) {
        out.emplace_back(b->name, "false");
        continue;
      }
    }
    if (!has_value) {
      const bool next_is_value = i + 1 < extras.size() && extras[i + 1].rfind("--", 0) != 0;
      if (spec && spec->type == ParamType::boolean && !(next_is_value && (extras[i + 1] == "true" || extras[i + 1] == "false"))) {
        value = "true";
      } else if (next_is_value) {
        value = extras[++i];
      } else if (spec) {
        print_error(verb + ": --" + tok.substr(2) + " needs a value (" + expected_text(*spec) + ")");
        return false;
      }
    }
    out.emplace_back(key, value);
  }
  return true;
}

void add_command_options(CLI::App* cmd, CommandOptions& o, const std::string& help_doc, const std::string& json_doc) {
  cmd->set_help_flag();  // --help is handled by the caller, to list the command's own options
  cmd->allow_extras();
  cmd->add_flag("--help,-h", o.help, help_doc);
  cmd->add_flag("--json", o.json, json_doc);
  cmd->add_option("--threads,-j", o.threads, "threads (0: all cores)")->check(CLI::NonNegativeNumber)->type_name("N");
  cmd->add_flag("--quiet,-q", o.quiet, "no progress output");
  add_plugin_path_option(cmd, o.plugin_paths);
}

void print_command_help(CLI::App* app, const std::string& invocation, const CommandInfo& command) {
  std::printf("%s\nOptions of `cvpipe %s` (%s):\n%s", app->help().c_str(), invocation.c_str(),
              command.entry->summary ? command.entry->summary : "", param_table(command.params, "  ").c_str());
}

int run_command_with_options(const CommandInfo& command, const std::string& invocation,
                             const std::vector<std::string>& extras, const CommandOptions& o) {
  std::vector<std::pair<std::string, std::string>> values;
  if (!parse_command_options(invocation, extras, command.params, values)) return kExitUsage;
  Params params;
  std::error_code ec;
  const auto errors = validate_texts(command.params, values, std::filesystem::current_path(ec),
                                     "`cvpipe " + invocation + "`", "option", params);
  if (!errors.empty()) {
    for (const auto& e : errors) print_error(e);
    std::fprintf(stderr, "Run `cvpipe %s --help` for its options.\n", invocation.c_str());
    return kExitUsage;
  }
  CommandContext ctx;
  ctx.config_dir = std::filesystem::current_path(ec);
  ctx.threads = o.threads;
  ctx.quiet = o.quiet;
  return run_plugin_command(command, params, ctx, o.json);
}

}  // namespace cvpipe::cli
