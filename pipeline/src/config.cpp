// Config loader: pipeline YAML -> validated PipelineSpec (see config.hpp).
#include "config.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>

#include "env_expand.hpp"
#include "io/io.hpp"
#include "suggest.hpp"
#include "yaml_doc.hpp"

namespace cvpipe {

namespace fs = std::filesystem;

const std::vector<ParamSpec>& runtime_params() {
  static const std::vector<ParamSpec> params = {
      ParamSpec::integer("queue", 4, 1, 4096, "frames each stage queue holds (streaming executor)"),
      ParamSpec::choice("on_error", "skip", {"skip", "stop"}, "a frame that fails: skip it (exit code 1 at the end) or stop the run"),
      ParamSpec::integer("threads", 0, 0, 1024, "thread budget; 0: all cores"),
      ParamSpec::integer("max_frames", -1, -1, std::nullopt, "stop after this many frames; -1: no limit"),
      ParamSpec::integer("batch", 1, 1, 4096, "frames per batch for stages that prefer batches"),
      ParamSpec::integer("batch_timeout_ms", -1, -1, 600000,
                         "run a partial batch once its first frame waited this long; -1: 50 for live sources, else wait for a full batch"),
      ParamSpec::choice("drop", "auto", {"auto", "oldest", "newest", "none"},
                        "live sources: frames to drop when stages fall behind (auto: oldest); files never drop"),
      ParamSpec::choice("executor", "streaming", {"streaming", "sequential"},
                        "streaming: one worker per stage, bounded queues; sequential: one thread (debugging)"),
      ParamSpec::integer("max_pixels", kDefaultMaxPixels, 1, std::nullopt,
                         "largest image or frame (width x height) a source may deliver; larger ones are refused, "
                         "PNG and JPEG files before decoding"),
      ParamSpec::choice("isolate", "none", {"none", "process"},
                        "process: run each stage in a worker process of its own, so a crash costs one frame "
                        "(a stage item's own `isolate` wins)"),
  };
  return params;
}

std::vector<std::string> config_source_types() {
  std::vector<std::string> types = io::source_types();
  if (std::find(types.begin(), types.end(), "generate") == types.end()) types.push_back("generate");
  return types;
}

namespace {

const std::vector<std::string> kTopKeys = {"source", "stages", "sinks", "runtime", "description"};
const std::vector<std::string> kSections = {"source", "stages", "sinks", "runtime"};

std::vector<std::string> split_dots(const std::string& s) {
  std::vector<std::string> parts;
  std::stringstream ss(s);
  std::string p;
  while (std::getline(ss, p, '.')) parts.push_back(p);
  if (!s.empty() && s.back() == '.') parts.emplace_back();
  return parts;
}

bool valid_instance_name(const std::string& n) {
  return !n.empty() && n.find_first_of(".= \t") == std::string::npos;
}

bool parse_index(const std::string& s, size_t& out) {
  if (s.empty() || s.size() > 6 || !std::all_of(s.begin(), s.end(), ::isdigit)) return false;
  out = static_cast<size_t>(std::stoul(s));
  return true;
}

class ConfigLoader {
 public:
  ConfigLoader(YamlDoc& doc, fs::path base_dir, const PluginRegistry& registry, const ConfigOptions& options,
               PipelineSpec& out)
      : doc_(doc), base_(std::move(base_dir)), reg_(registry), opt_(options), out_(out) {}

  void run() {
    YAML::Node& root = doc_.root();
    if (!root.IsDefined() || root.IsNull()) {
      doc_.error(root, "the config is empty: it needs at least a 'source' (see `cvpipe validate --help`)");
      return;
    }
    if (!root.IsMap()) {
      doc_.error(root, "the config must be a map with 'source', 'stages', 'sinks' and 'runtime'");
      return;
    }
    apply_command_line_io(root);
    apply_overrides(root);
    const YAML::Node& croot = root;
    doc_.check_keys(croot, kTopKeys, "the config");
    load_source(croot["source"], croot);
    load_stages(croot["stages"]);
    load_sinks(croot["sinks"]);
    load_runtime(croot["runtime"], croot);
  }

 private:
  // ---- --input / --output ----
  void apply_command_line_io(YAML::Node& root) {
    if (!opt_.input.empty()) {
      std::string type;
      Params location;
      const std::string origin = "--input " + opt_.input;
      if (Status st = io::input_location(opt_.input, type, location); !st.ok()) {
        doc_.diagnostics().error({}, origin + ": " + st.message());
      } else {
        YAML::Node old = root["source"];
        root["source"] = relocated(old, type, io::source_params(type), location, origin);
      }
    }
    if (!opt_.output.empty()) {
      std::string type;
      Params location;
      const std::string origin = "--output " + opt_.output;
      if (Status st = io::output_location(opt_.output, type, location); !st.ok()) {
        doc_.diagnostics().error({}, origin + ": " + st.message());
        return;
      }
      YAML::Node sinks = root["sinks"];
      if (!sinks.IsDefined() || sinks.IsNull() || (sinks.IsSequence() && sinks.size() == 0)) {
        YAML::Node list(YAML::NodeType::Sequence);
        list.push_back(relocated(YAML::Node(), type, io::sink_params(type), location, origin));
        root["sinks"] = list;
      } else if (sinks.IsSequence()) {
        YAML::Node first = sinks[0];
        sinks[0] = relocated(first, type, io::sink_params(type), location, origin);
      }  // else: load_sinks reports the malformed 'sinks'
    }
  }

  // A source or sink map of `type` at `location` (values noted as coming from `origin`), keeping
  // the other options of `old`: all of them when `old` has the same type, else those `schema`
  // declares and whose value it accepts.
  YAML::Node relocated(const YAML::Node& old, const std::string& type, const std::vector<ParamSpec>* schema,
                       const Params& location, const std::string& origin) {
    YAML::Node n(YAML::NodeType::Map);
    YAML::Node type_node(type);
    n["type"] = type_node;
    doc_.note_override(type_node, "type", origin);
    if (old.IsMap()) {
      const YAML::Node old_type = old["type"];
      const bool same = old_type.IsScalar() && old_type.Scalar() == type;
      for (auto it = old.begin(); it != old.end(); ++it) {
        if (!it->first.IsScalar()) continue;
        const std::string key = it->first.Scalar();
        if (key == "type" || location.has(key)) continue;
        if (!same) {
          const ParamSpec* spec = schema ? find_param(*schema, key) : nullptr;
          std::string text;
          ParamValue value;
          if (!spec || !it->second.IsScalar() || !expand_env(it->second.Scalar(), text).ok() ||
              !convert_text(*spec, text, base_, value).empty())
            continue;
        }
        n[key] = it->second;
      }
    }
    for (const auto& [key, value] : location.values()) {
      // The value is literal: a `${` in it must not expand (`$${` is a literal `${`).
      const std::string raw = format_value(value);
      std::string text;
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw.compare(i, 2, "${") == 0) text += '$';
        text += raw[i];
      }
      YAML::Node v(text);
      n[key] = v;
      doc_.note_override(v, key, origin);
    }
    return n;
  }

  // ---- --set ----
  void apply_overrides(YAML::Node& root) {
    for (const auto& arg : opt_.set_overrides) apply_override(root, arg);
  }

  // Default instance name of a raw stage item (before validation), for --set stages.NAME.
  std::string raw_instance_name(const YAML::Node& item) const {
    if (!item.IsMap()) return {};
    if (const YAML::Node n = item["name"]; n && n.IsScalar()) return n.Scalar();
    if (const YAML::Node s = item["stage"]; s && s.IsScalar()) {
      if (const StageInfo* info = reg_.find_stage(s.Scalar())) return info->entry->name;
      return s.Scalar();
    }
    return {};
  }

  void apply_override(YAML::Node& root, const std::string& arg) {
    std::string key, value;
    if (!split_assignment(arg, key, value)) {
      doc_.diagnostics().error({}, "--set " + arg + ": expected KEY=VALUE, e.g. stages.blur.sigma=2 or runtime.on_error=stop");
      return;
    }
    const std::string origin = "--set " + arg;
    auto fail = [&](const std::string& msg) { doc_.diagnostics().error({}, "--set " + key + ": " + msg); };
    const auto parts = split_dots(key);
    for (const auto& p : parts)
      if (p.empty()) return fail("empty part in the key (expected e.g. stages.NAME.KEY)");
    const std::string& section = parts[0];
    YAML::Node target;
    std::string name;
    if (section == "source") {
      YAML::Node source = root["source"];
      if (!source.IsMap()) return fail("the config has no source map to change");
      if (parts.size() == 2) {
        target = source;
        name = parts[1];
      } else if (parts.size() == 3 && parts[1] == "params") {
        YAML::Node params = source["params"];
        if (params.IsDefined() && !params.IsNull() && !params.IsMap()) return fail("source 'params' is not a map");
        target = params;
        name = parts[2];
      } else {
        return fail("expected source.KEY or source.params.KEY");
      }
    } else if (section == "stages") {
      if (!(parts.size() == 3 || (parts.size() == 4 && parts[2] == "params")))
        return fail("expected stages.NAME.KEY (NAME: the stage's name in the config, KEY: one of its parameters)");
      YAML::Node stages = root["stages"];
      if (!stages.IsSequence() || stages.size() == 0) return fail("the config has no stages");
      std::vector<std::string> names;
      std::optional<size_t> found;
      for (size_t i = 0; i < stages.size(); ++i) {
        std::string n = raw_instance_name(stages[i]);
        names.push_back(n);
        if (n == parts[1] && !found) found = i;
      }
      size_t index;
      if (!found && parse_index(parts[1], index) && index < stages.size()) found = index;
      YAML::Node item = found ? stages[*found] : YAML::Node();
      if (!found || !item.IsMap())
        return fail("no stage '" + parts[1] + "'" + did_you_mean(parts[1], names) + " (stages: " + join_names(names) + ")");
      YAML::Node params = item["params"];
      if (params.IsDefined() && !params.IsNull() && !params.IsMap()) return fail("the stage's 'params' is not a map");
      target = params;
      name = parts.back();
    } else if (section == "sinks") {
      YAML::Node sinks = root["sinks"];
      size_t index;
      if (parts.size() != 3 || !parse_index(parts[1], index)) return fail("expected sinks.N.KEY (N: 0 for the first sink)");
      if (!sinks.IsSequence() || index >= sinks.size())
        return fail("no sink " + parts[1] + " (the config has " + std::to_string(sinks.IsSequence() ? sinks.size() : 0) + " sinks)");
      target = sinks[index];
      if (!target.IsMap()) return fail("sink " + parts[1] + " is not a map");
      name = parts[2];
    } else if (section == "runtime") {
      if (parts.size() != 2) return fail("expected runtime.KEY");
      YAML::Node runtime = root["runtime"];
      if (runtime.IsDefined() && !runtime.IsNull() && !runtime.IsMap()) return fail("'runtime' is not a map");
      target = runtime;
      name = parts[1];
    } else {
      std::string msg = "unknown section '" + section + "'";
      if (auto m = closest_match(section, kSections)) msg += "; did you mean '" + *m + "'?";
      return fail(msg + " (sections: " + join_names(kSections) + ")");
    }
    YAML::Node v(value);
    target[name] = v;
    doc_.note_override(v, name, origin);
  }

  // ---- sections ----
  // Validates a plugin stage's parameters into `out`: the schema, then the stage's own rules
  // across parameters (check_params), reported at the parameters (or at `at`).
  void validate_stage_params(const StageInfo& info, const YAML::Node& params, const std::string& owner,
                             const YAML::Node& at, Params& out) {
    if (!validate_map(info.params, params, {}, doc_.validation(base_, owner, "parameter", at), out)) return;
    if (!info.entry->check_params) return;
    const Status st = guard([&] { return info.entry->check_params(out); }, "", StatusCode::invalid_argument);
    if (!st.ok()) doc_.error(params.IsDefined() ? params : at, owner + ": " + st.message());
  }

  std::vector<std::string> sink_stage_names() const {
    std::vector<std::string> names;
    for (const auto& n : reg_.stage_names())
      if (reg_.find_stage(n)->entry->kind == StageKind::sink) names.push_back(n);
    return names;
  }

  std::string unknown_stage_message(const std::string& name, bool sources_only) const {
    std::vector<std::string> names;
    for (const auto& n : reg_.stage_names()) {
      const StageInfo* info = reg_.find_stage(n);
      if (!sources_only || info->entry->kind == StageKind::source) names.push_back(n);
    }
    std::string msg = "unknown " + std::string(sources_only ? "source stage" : "stage") + " '" + name + "'";
    if (reg_.plugins().empty()) return msg + ": no plugins are loaded (see --plugin-path and CVPIPE_PLUGIN_PATH)" + reg_.refusals_note();
    msg += did_you_mean(name, names);
    if (names.empty()) return msg + " (no loaded plugin has " + (sources_only ? "source stages" : "stages") + ")" + reg_.refusals_note();
    return msg + " (known " + (sources_only ? "source stages" : "stages") + ": " + join_names(names) + ")" + reg_.refusals_note();
  }

  std::string source_stages_text() const {
    std::vector<std::string> names;
    for (const auto& n : reg_.stage_names())
      if (reg_.find_stage(n)->entry->kind == StageKind::source) names.push_back(n);
    if (names.empty()) return "no loaded plugin has one";
    return "known: " + join_names(names);
  }

  void load_source(const YAML::Node& n, const YAML::Node& root) {
    if (!n.IsDefined()) {
      if (opt_.require_source && opt_.input.empty())
        doc_.error(root, "the config has no 'source': a pipeline reads from exactly one source (a map with 'type')");
      return;
    }
    if (n.IsSequence()) {
      doc_.error(n, "'source' must be one map, not a list: a pipeline has exactly one source");
      return;
    }
    if (!n.IsMap()) {
      doc_.error(n, "'source' must be a map with 'type' (one of: " + join_names(config_source_types()) + ")", root);
      return;
    }
    SourceSpec& s = out_.source;
    s.where = doc_.where(n);
    const YAML::Node type_node = n["type"];
    if (!type_node) {
      doc_.error(n, "the source needs 'type' (one of: " + join_names(config_source_types()) + ")");
      return;
    }
    if (!doc_.text(type_node, s.type, "'type'")) return;
    const auto types = config_source_types();
    // A plugin's source stage is a source type of its own: {type: NAME, params: {...}} reads as
    // {type: generate, stage: NAME, params: {...}}.
    const StageInfo* plugin_source = reg_.find_stage(s.type);
    const bool builtin = std::find(types.begin(), types.end(), s.type) != types.end();
    if (!builtin && plugin_source && plugin_source->entry->kind == StageKind::source) {
      const std::vector<ParamSpec>* generate = io::source_params("generate");
      std::vector<ParamSpec> schema = generate ? *generate : std::vector<ParamSpec>{};
      std::erase_if(schema, [](const ParamSpec& p) { return p.name == "stage" || p.name == "params"; });
      validate_map(schema, n, {"type", "params"}, doc_.validation(base_, "source '" + s.type + "'", "option", n), s.options);
      s.type = "generate";
      s.stage = plugin_source->entry->name;
      validate_stage_params(*plugin_source, n["params"], "stage '" + s.stage + "'", n, s.params);
      return;
    }
    if (!builtin) {
      doc_.error(type_node, "unknown source type '" + s.type + "'" + did_you_mean(s.type, types) +
                                " (types: " + join_names(types) + ")");
      return;
    }
    const std::vector<ParamSpec>* io_schema = io::source_params(s.type);
    std::vector<ParamSpec> schema = io_schema ? *io_schema : std::vector<ParamSpec>{};
    if (s.type != "generate") {
      validate_map(schema, n, {"type"}, doc_.validation(base_, "source '" + s.type + "'", "option", n), s.options);
      return;
    }
    // generate: a plugin source stage with its own parameters, plus any options io declares.
    std::erase_if(schema, [](const ParamSpec& p) { return p.name == "stage" || p.name == "params"; });
    validate_map(schema, n, {"type", "stage", "params"}, doc_.validation(base_, "source 'generate'", "option", n), s.options);
    const YAML::Node stage_node = n["stage"];
    if (!stage_node) {
      doc_.error(n, "a generate source needs 'stage', the name of a source stage (" + source_stages_text() + ")");
      return;
    }
    std::string name;
    if (!doc_.text(stage_node, name, "'stage'")) return;
    const StageInfo* info = reg_.find_stage(name);
    if (!info) {
      doc_.error(stage_node, unknown_stage_message(name, true));
      return;
    }
    if (info->entry->kind != StageKind::source) {
      doc_.error(stage_node, "stage '" + name + "' is a " + to_string(info->entry->kind) +
                                 " stage, not a source: a generate source needs a stage that produces frames");
      return;
    }
    s.stage = info->entry->name;
    validate_stage_params(*info, n["params"], "stage '" + s.stage + "'", n, s.params);
  }

  void load_stages(const YAML::Node& n) {
    if (!n.IsDefined() || n.IsNull()) return;
    if (!n.IsSequence()) {
      doc_.error(n, "'stages' must be a list of items like {stage: NAME, name: ..., params: {...}}");
      return;
    }
    std::map<std::string, Location> names;
    for (size_t i = 0; i < n.size(); ++i) {
      const YAML::Node item = n[i];
      if (!item.IsMap()) {
        doc_.error(item, "stage item " + std::to_string(i) + " must be a map like {stage: NAME, params: {...}}", n);
        continue;
      }
      doc_.check_keys(item, {"stage", "name", "params", "isolate"}, "a stage item");
      const YAML::Node stage_node = item["stage"];
      if (!stage_node) {
        doc_.error(item, "the stage item needs 'stage': the name of a stage a plugin registers");
        continue;
      }
      std::string stage;
      if (!doc_.text(stage_node, stage, "'stage'")) continue;
      const StageInfo* info = reg_.find_stage(stage);
      if (!info) {
        doc_.error(stage_node, unknown_stage_message(stage, false));
        continue;
      }
      if (info->entry->kind != StageKind::transform) {
        const bool source = info->entry->kind == StageKind::source;
        doc_.error(stage_node, "stage '" + stage + "' is a " + to_string(info->entry->kind) + " stage; use it as " +
                                   (source ? "the source: {type: " + stage + "}" : "a sink: sinks: [{type: " + stage + "}]"));
        continue;
      }
      StageSpec s;
      s.stage = info->entry->name;
      s.name = s.stage;
      s.where = doc_.where(item);
      YAML::Node name_node = item["name"];
      if (name_node) {
        if (!doc_.text(name_node, s.name, "'name'")) continue;
        if (!valid_instance_name(s.name)) {
          doc_.error(name_node, "stage name '" + s.name + "' must be non-empty, without '.', '=' or spaces");
          continue;
        }
      }
      const YAML::Node& name_at = name_node ? name_node : stage_node;
      if (auto it = names.find(s.name); it != names.end()) {
        doc_.error(name_at, "stage name '" + s.name + "' is used twice (first at " + it->second.str() +
                                "); give one of them another 'name:'");
        continue;
      }
      names.emplace(s.name, doc_.where(name_at));
      if (const YAML::Node iso = item["isolate"]) {
        if (!doc_.text(iso, s.isolate, "'isolate'")) continue;
        if (s.isolate != "process" && s.isolate != "none") {
          doc_.error(iso, "'isolate' must be process or none, not '" + s.isolate + "'");
          continue;
        }
      }
      const std::string owner = s.name == s.stage ? "stage '" + s.name + "'" : "stage '" + s.name + "' (" + s.stage + ")";
      validate_stage_params(*info, item["params"], owner, item, s.params);
      out_.stages.push_back(std::move(s));
    }
  }

  void load_sinks(const YAML::Node& n) {
    if (!n.IsDefined() || n.IsNull()) return;
    if (!n.IsSequence()) {
      doc_.error(n, "'sinks' must be a list of items like {type: images, path: out}");
      return;
    }
    auto types = io::sink_types();
    for (const auto& name : sink_stage_names()) types.push_back(name);
    for (size_t i = 0; i < n.size(); ++i) {
      const YAML::Node item = n[i];
      if (!item.IsMap()) {
        doc_.error(item, "sink " + std::to_string(i) + " must be a map like {type: images, path: out}", n);
        continue;
      }
      SinkSpec s;
      s.where = doc_.where(item);
      const YAML::Node type_node = item["type"];
      if (!type_node) {
        doc_.error(item, "sink " + std::to_string(i) + " needs 'type' (one of: " + join_names(types) + ")");
        continue;
      }
      if (!doc_.text(type_node, s.type, "'type'")) continue;
      const std::vector<ParamSpec>* schema = io::sink_params(s.type);
      // A plugin's sink stage: {type: NAME, params: {...}}.
      if (const StageInfo* info = schema ? nullptr : reg_.find_stage(s.type); info && info->entry->kind == StageKind::sink) {
        doc_.check_keys(item, {"type", "params"}, "a plugin sink");
        s.stage = info->entry->name;
        validate_stage_params(*info, item["params"], "sink " + std::to_string(i) + " (" + s.stage + ")", item, s.params);
        out_.sinks.push_back(std::move(s));
        continue;
      }
      if (!schema) {
        doc_.error(type_node, "unknown sink type '" + s.type + "'" + did_you_mean(s.type, types) + " (types: " +
                                  join_names(types) + ")");
        continue;
      }
      validate_map(*schema, item, {"type"},
                   doc_.validation(base_, "sink " + std::to_string(i) + " (" + s.type + ")", "option", item), s.options);
      out_.sinks.push_back(std::move(s));
    }
  }

  void load_runtime(const YAML::Node& n, const YAML::Node& root) {
    Params p;
    validate_map(runtime_params(), n, {}, doc_.validation(base_, "runtime", "key", n.IsDefined() ? n : root), p);
    RuntimeSpec& r = out_.runtime;
    if (p.has("queue")) r.queue = static_cast<int>(p.get_int("queue"));
    if (p.has("on_error")) r.on_error = p.get_string("on_error") == "stop" ? OnError::stop : OnError::skip;
    if (p.has("threads")) r.threads = static_cast<int>(p.get_int("threads"));
    if (p.has("max_frames")) r.max_frames = p.get_int("max_frames");
    if (p.has("batch")) r.batch = static_cast<int>(p.get_int("batch"));
    if (p.has("batch_timeout_ms")) r.batch_timeout_ms = static_cast<int>(p.get_int("batch_timeout_ms"));
    if (p.has("drop")) r.drop = p.get_string("drop");
    if (p.has("executor")) r.executor = p.get_string("executor");
    if (p.has("max_pixels")) r.max_pixels = p.get_int("max_pixels");
    if (p.has("isolate")) r.isolate = p.get_string("isolate");
  }

  YamlDoc& doc_;
  fs::path base_;
  const PluginRegistry& reg_;
  const ConfigOptions& opt_;
  PipelineSpec& out_;
};

Status finish(Diagnostics& diags, PipelineSpec& result, PipelineSpec& out) {
  if (!diags.empty()) return diags.to_status();
  out = std::move(result);
  return {};
}

}  // namespace

Status load_config(const fs::path& file, const PluginRegistry& registry, const std::vector<std::string>& set_overrides,
                   PipelineSpec& out) {
  ConfigOptions options;
  options.set_overrides = set_overrides;
  return load_config(file, registry, options, out);
}

Status load_config(const fs::path& file, const PluginRegistry& registry, const ConfigOptions& options, PipelineSpec& out) {
  Diagnostics diags;
  YamlDoc doc(file.string(), diags);
  if (!doc.load_file(file)) {
    std::error_code ec;
    return diags.to_status(fs::exists(file, ec) ? StatusCode::invalid_argument : StatusCode::not_found);
  }
  std::error_code ec;
  const fs::path abs = fs::absolute(file, ec).lexically_normal();
  PipelineSpec result;
  result.config_file = abs;
  ConfigLoader(doc, abs.parent_path(), registry, options, result).run();
  return finish(diags, result, out);
}

Status load_config_text(const std::string& yaml, const std::string& file_name, const fs::path& base_dir,
                        const PluginRegistry& registry, const ConfigOptions& options, PipelineSpec& out) {
  Diagnostics diags;
  YamlDoc doc(file_name, diags);
  if (!doc.load_text(yaml)) return diags.to_status();
  std::error_code ec;
  fs::path base = base_dir.empty() ? fs::current_path(ec) : fs::absolute(base_dir, ec);
  PipelineSpec result;
  ConfigLoader(doc, base.lexically_normal(), registry, options, result).run();
  return finish(diags, result, out);
}

}  // namespace cvpipe
