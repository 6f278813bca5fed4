// StageHarness: drives one stage of one plugin the way the executor does, for plugin tests.
// It loads exactly one library (libcvpipe_<plugin>.so from the build tree's plugin folder, or
// $CVPIPE_TEST_PLUGIN_DIR), validates parameters given as text against the stage's schema (as
// the config loader does: types, ranges, choices, defaults) and runs configure -> open ->
// process/process_batch -> finish -> close. Every call is guarded: an exception thrown by the
// stage becomes a runtime_error Status whose message starts with "THREW:" so tests can tell it
// from a clean error. Not thread-safe.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cvpipe/stage.hpp"
#include "plugin_registry.hpp"

namespace cvpipe::test {

// Folder of the plugins built in this tree ($CVPIPE_TEST_PLUGIN_DIR overrides it).
std::filesystem::path plugin_dir();
// plugin_dir() / "libcvpipe_<plugin>.so".
std::filesystem::path plugin_file(const std::string& plugin);

using ParamTexts = std::vector<std::pair<std::string, std::string>>;

class StageHarness {
 public:
  StageHarness(const std::string& plugin, const std::string& stage);
  ~StageHarness();
  StageHarness(const StageHarness&) = delete;
  StageHarness& operator=(const StageHarness&) = delete;

  // Error when the plugin could not be loaded or has no such stage; every other call then fails.
  const Status& load_status() const { return load_status_; }
  bool loaded() const { return load_status_.ok(); }
  const StageInfo* info() const { return info_; }
  const std::vector<ParamSpec>& schema() const;

  // Validates `params` (name -> text, as written in YAML) against the schema, fills defaults and
  // configures a fresh stage instance. Relative paths resolve against ctx.config_dir.
  Status configure(const ParamTexts& params = {}, StageContext ctx = {});
  // The parameters configure() passed last (after validation and defaults).
  const Params& params() const { return params_; }
  Status open(const StreamInfo& in = {});
  const StreamInfo& out_info() const { return out_info_; }
  Status process(Frame& frame);
  Status process_batch(std::vector<Frame>& frames);
  Status produce(Frame& frame);
  Status finish(std::vector<Frame>& out);
  Status close();
  Stage* stage() { return stage_.get(); }

  // configure(params) -> open(in_info) -> each frame (in batches of preferred_batch()) ->
  // finish -> close. Frames that come out (not consumed) are appended to `out` in order. Stops at
  // the first error (still closing the stage) and returns it.
  Status run(const std::vector<Frame>& in, std::vector<Frame>& out, const ParamTexts& params = {},
             const StreamInfo& in_info = {});
  // run() for one frame; `out` is the single frame that came out (an error when none or several).
  Status run_one(const Frame& in, Frame& out, const ParamTexts& params = {});

 private:
  std::unique_ptr<PluginRegistry> registry_;
  const StageInfo* info_ = nullptr;
  std::string stage_name_;
  Status load_status_;
  StageHandle stage_;
  Params params_;
  StreamInfo out_info_;
  bool open_ = false;
};

}  // namespace cvpipe::test
