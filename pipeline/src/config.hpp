// Config loader: a pipeline YAML file (docs/config.md) -> validated PipelineSpec.
// Everything that can be checked before running is checked here against the loaded plugins'
// schemas and the built-in source/sink schemas (io::source_params / io::sink_params): unknown keys
// (with "did you mean"), unknown stage names (listing the known ones), types, ranges, choices,
// required parameters, paths that must exist (relative paths in the file resolve against its folder),
// duplicate stage instance names, ${VAR} expansion (unset variables are errors), `--input` /
// `--output` and `--set` overrides. Precedence: the file < --input / --output < --set.
// Errors: the returned Status (invalid_argument, or not_found for a missing file) holds one or more
// complete lines `FILE:LINE:COL: error: MESSAGE` (1-based), or `cvpipe: error: MESSAGE` where
// there is no file position (a bad --set argument): print its message as is.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "plugin_registry.hpp"
#include "spec.hpp"

namespace cvpipe {

struct ConfigOptions {
  // --input URI: sets the location of the config's source (`path`, or `url`, `device`,
  // `pipeline`; an images `include` filter goes with the path) and keeps its other options; when
  // the URI is of another type, the source becomes that type and keeps the options that type also
  // has and accepts (the rest take its defaults).
  // --output PATH: the same for the first sink (added when there is none). Relative paths resolve
  // against the working directory. Empty: not given. Both apply before set_overrides, so
  // `--set source.KEY=...` wins whatever the order on the command line.
  std::string input;
  std::string output;
  // "KEY=VALUE": source.KEY, source.params.KEY, stages.NAME.KEY (NAME: instance name or index;
  // also stages.NAME.params.KEY), sinks.N.KEY, runtime.KEY. VALUE is read as a YAML scalar;
  // a relative path in it resolves against the working directory (it was typed there).
  std::vector<std::string> set_overrides;
  // false: a config without a source is fine (the command line provides one); implied by `input`.
  bool require_source = true;
};

Status load_config(const std::filesystem::path& file, const PluginRegistry& registry,
                   const std::vector<std::string>& set_overrides, PipelineSpec& out);
Status load_config(const std::filesystem::path& file, const PluginRegistry& registry,
                   const ConfigOptions& options, PipelineSpec& out);

// From YAML text (tests, stdin): `file_name` names it in messages, relative paths resolve against
// `base_dir` (the working directory when empty).
Status load_config_text(const std::string& yaml, const std::string& file_name,
                        const std::filesystem::path& base_dir, const PluginRegistry& registry,
                        const ConfigOptions& options, PipelineSpec& out);

// The schema of the `runtime:` section (queue, on_error, threads, max_frames, batch,
// batch_timeout_ms, drop, executor).
const std::vector<ParamSpec>& runtime_params();

// Source types a config may name: io::source_types() and "generate".
std::vector<std::string> config_source_types();

}  // namespace cvpipe
