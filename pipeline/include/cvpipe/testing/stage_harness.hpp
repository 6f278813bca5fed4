// StageHarness: drives one stage of one plugin library the way the host does, for plugin tests
// (installed as part of cvpipe::testing; `cvpipe plugins check` uses it too).
// It loads exactly one library (a file path, or libcvpipe_<plugin>.so from the build tree's
// plugin folder / $CVPIPE_TEST_PLUGIN_DIR), refuses it as the host would (ABI, descriptor,
// schema), validates parameters given as text against the stage's schema with the host's own
// code (types, ranges, choices, defaults, paths) and its check_params(), holds frames to the
// stage's input contract as the host does, and runs configure -> open ->
// transform/process_batch, produce or consume -> finish -> close. Every call is guarded: an exception
// thrown by the stage becomes a runtime_error Status whose message starts with "THREW:", so a
// test can tell it from a clean error. Not thread-safe; the stage may be called from the thread
// that calls the harness only.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cvpipe/plugin.hpp"
#include "cvpipe/stage.hpp"

namespace cvpipe::test {

// Folder of the plugins built in the cvpipe tree ($CVPIPE_TEST_PLUGIN_DIR overrides it).
std::filesystem::path plugin_dir();
// plugin_dir() / "libcvpipe_<plugin>.so".
std::filesystem::path plugin_file(const std::string& plugin);

// A plugin library by its path (out-of-tree plugins: the module your project built).
struct PluginFile {
  std::filesystem::path path;
};

using ParamTexts = std::vector<std::pair<std::string, std::string>>;

class StageHarness {
 public:
  // `plugin`: a plugin name in the build tree (plugin_file(plugin)).
  StageHarness(const std::string& plugin, const std::string& stage);
  StageHarness(const PluginFile& library, const std::string& stage);
  ~StageHarness();
  StageHarness(const StageHarness&) = delete;
  StageHarness& operator=(const StageHarness&) = delete;

  // Error when the plugin could not be loaded or has no such stage; every other call then fails.
  const Status& load_status() const;
  bool loaded() const { return load_status().ok(); }
  const std::filesystem::path& library() const;
  // The stage's entry (name, summary, kind) and its schema; nullptr / empty when not loaded.
  const StageEntry* entry() const;
  const std::vector<ParamSpec>& schema() const;
  const StageContract& contract() const;  // what the stage declares it takes and emits

  // Validates `params` (name -> text, as written in YAML) against the schema, fills defaults and
  // configures a fresh stage instance. Relative paths resolve against ctx.config_dir.
  Status configure(const ParamTexts& params = {}, StageContext ctx = {});
  // The parameters configure() passed last (after validation and defaults).
  const Params& params() const;
  Status open(const StreamInfo& in = {});
  const StreamInfo& out_info() const;
  // Transforms: what the stage emits for `frame` is appended to `out`.
  Status transform(Frame& frame, std::vector<Frame>& out);
  // transform() for a stage that emits exactly one frame, which replaces `frame` (else an error).
  Status process(Frame& frame);
  Status process_batch(std::vector<Frame>& frames);
  Status produce(Frame& frame);    // sources
  Status consume(const Frame& frame);  // sinks
  Status finish(std::vector<Frame>& out);  // appends what the stage emits at end of stream
  Status close();
  Stage* stage();

  // configure(params) -> open(in_info) -> each frame (in batches of preferred_batch(); a sink
  // consumes them) -> finish -> close. Frames that come out are appended to `out` in order. Stops
  // at the first error (still closing the stage) and returns it.
  Status run(const std::vector<Frame>& in, std::vector<Frame>& out, const ParamTexts& params = {},
             const StreamInfo& in_info = {});
  // run() for one frame; `out` is the single frame that came out (an error when none or several).
  Status run_one(const Frame& in, Frame& out, const ParamTexts& params = {});

 private:
  Status fits_input(const Frame& frame) const;
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace cvpipe::test
