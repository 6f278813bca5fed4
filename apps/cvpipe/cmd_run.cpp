// `cvpipe run CONFIG`: loads plugins and the config (with --input / --output, then --set: see
// ConfigOptions), adds --show's window, runs the pipeline with the executor, and maps the outcome
// to an exit code: 0 ok; 1 runtime failure or frames that failed and were skipped; 2 usage or
// config error; 130/143 after a clean stop on SIGINT/SIGTERM. Under mpirun each rank runs its
// shard of the source (run_shards.hpp).
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli_common.hpp"
#include "commands.hpp"
#include "config.hpp"
#include "cvpipe/progress.hpp"
#include "executor.hpp"
#include "io/io.hpp"
#include "schema.hpp"
#include "host_logger.hpp"
#include "run_shards.hpp"
#include "stop_signal.hpp"

namespace cvpipe::cli {

namespace {

struct RunArgs {
  std::string config;
  std::string input;
  std::string output;
  std::vector<std::string> sets;
  int threads = -1;
  int64_t max_frames = -1;
  std::string metrics;
  std::string trace;
  bool show = false;
  bool quiet = false;
  std::string log_level = "warning";
  std::vector<std::string> plugin_paths;
};

// A sink that would write over the source's own file or folder (the same one after resolving
// links): the run would destroy its input, so it is refused before anything is opened.
Status check_output_is_not_input(const PipelineSpec& spec) {
  namespace fs = std::filesystem;
  auto path_of = [](const Params& p) -> const std::string* {
    return p.has("path") ? std::get_if<std::string>(&p.get("path")) : nullptr;
  };
  const std::string* input = path_of(spec.source.options);
  if (!input || input->empty()) return {};
  for (std::size_t i = 0; i < spec.sinks.size(); ++i) {
    const std::string* output = path_of(spec.sinks[i].options);
    std::error_code ec;
    if (output && !output->empty() && fs::equivalent(*input, *output, ec) && !ec) {
      return Status::invalid("sink " + std::to_string(i) + " (" + spec.sinks[i].type + ") would write over the input '" +
                             *input + "' ('" + *output + "' is the same file or folder); choose another output");
    }
  }
  return {};
}

int run(const RunArgs& a) {
  StopSignals signals;  // from the start: Ctrl-C while loading also ends with 130
  PluginRegistry registry;
  if (!load_plugins(registry, a.plugin_paths)) return kExitUsage;

  ConfigOptions options;
  options.input = a.input;
  options.output = a.output;
  options.set_overrides = a.sets;
  PipelineSpec spec;
  if (Status st = load_config(a.config, registry, options, spec); !st.ok()) {
    print_diagnostics(st);
    return kExitUsage;
  }
  if (Status st = check_output_is_not_input(spec); !st.ok()) {
    print_error(st.message());
    return kExitUsage;
  }
  if (a.show) {
    SinkSpec window;
    window.type = "window";
    if (const auto* schema = io::sink_params("window")) fill_defaults(*schema, window.options);
    spec.sinks.push_back(std::move(window));
  }

  RunOptions run_options;
  run_options.threads = a.threads >= 0 ? a.threads : spec.runtime.threads;
  run_options.max_frames = a.max_frames;
  run_options.quiet = a.quiet;
  parse_log_level(a.log_level, run_options.log_level);  // the option's check admits only valid names
  run_options.progress = ProgressBar::terminal_enabled(a.quiet);
  run_options.metrics_file = a.metrics;
  run_options.trace_file = a.trace;

  RunShard shard;  // mpirun -np N: this rank's part (run_shards.hpp)
  if (Status st = shard_run(spec, run_options, shard); !st.ok()) {
    print_error(st.message());
    return kExitUsage;
  }
  if (shard.idle) {
    if (!a.quiet) std::fprintf(stderr, "cvpipe: source '%s' is not sharded: rank 0 runs it, this rank idles\n", spec.source.type.c_str());
    return kExitOk;
  }

  if (int code = signals.exit_code(); code != 0) return code;
  run_options.stop_flag = signals.flag();
  RunReport report;
  Status st = run_pipeline(spec, registry, run_options, report);
  if (int code = signals.exit_code(); code != 0) {
    if (!a.quiet) std::fprintf(stderr, "cvpipe: interrupted after %lld frames; outputs closed\n", static_cast<long long>(report.frames));
    return code;
  }
  if (!st.ok()) {
    if (st.code() == StatusCode::cancelled) return kExitInterrupted;
    print_error(st.message());
    // A stage that refuses its parameters (configure) before any frame ran is a config error, as
    // in `cvpipe validate`.
    return st.code() == StatusCode::invalid_argument && report.frames == 0 ? kExitUsage : kExitFailure;
  }
  if (report.errors > 0) {
    const std::string skipped =
        report.skipped > 0 ? " (" + plural(static_cast<size_t>(report.skipped), "failed frame") + " skipped)" : "";
    print_error(plural(static_cast<size_t>(report.errors), "error") + " during the run" + skipped);
    return kExitFailure;
  }
  if (Status merged = merge_shard_outputs(shard); !merged.ok()) {
    print_error(merged.message());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

Subcommand add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "run a pipeline config");
  cmd->add_option("CONFIG", args->config, "pipeline YAML file")->required()->type_name("CONFIG");
  cmd->add_option("--input,-i", args->input,
                  "the source's path (other options kept): image file/folder/glob, video file, camera:N, /dev/videoN, gst:PIPELINE, rtsp://, http://")
      ->type_name("URI");
  cmd->add_option("--output,-o", args->output, "the first sink's path (other options kept): folder (images), video file or .jsonl file")
      ->type_name("PATH");
  cmd->add_option("--set", args->sets, "override a config value (after --input/--output): source.KEY, source.params.KEY, stages.NAME.KEY, sinks.N.KEY, runtime.KEY")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--threads,-j", args->threads, "thread budget (0: all cores; default: the config's runtime.threads)")
      ->check(CLI::NonNegativeNumber)
      ->type_name("N");
  cmd->add_option("--max-frames", args->max_frames, "stop after N frames")->check(CLI::NonNegativeNumber)->type_name("N");
  cmd->add_option("--metrics", args->metrics, "write run metrics as JSON")->type_name("FILE.json");
  cmd->add_option("--trace", args->trace, "write a Chrome trace of every stage call")->type_name("FILE.json");
  cmd->add_flag("--show", args->show, "also show frames in a window");
  cmd->add_flag("--quiet,-q", args->quiet, "no progress bar or summary");
  cmd->add_option("--log-level", args->log_level, "the stages' log lines to show (default: warning)")
      ->check(CLI::IsMember({"error", "warning", "info", "debug"}))
      ->type_name("error|warning|info|debug");
  add_plugin_path_option(cmd, args->plugin_paths);
  return {cmd, [args] { return run(*args); }};
}

}  // namespace cvpipe::cli
