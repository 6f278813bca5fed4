// StageHarness: see stage_harness.hpp.
#include "cvpipe/testing/stage_harness.hpp"

#include <cstdlib>
#include <exception>
#include <iterator>

#include "host_logger.hpp"
#include "plugin_registry.hpp"
#include "schema.hpp"

namespace cvpipe::test {

namespace {

template <class Fn>
Status guarded(const char* call, Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return Status::runtime(std::string("THREW: ") + call + "(): " + e.what());
  } catch (...) {
    return Status::runtime(std::string("THREW: ") + call + "(): unknown exception");
  }
}

const std::vector<ParamSpec>& no_params() {
  static const std::vector<ParamSpec> none;
  return none;
}

}  // namespace

std::filesystem::path plugin_dir() {
  if (const char* env = std::getenv("CVPIPE_TEST_PLUGIN_DIR"); env && *env) return env;
  return CVPIPE_BUILD_PLUGIN_DIR;
}

std::filesystem::path plugin_file(const std::string& plugin) { return plugin_dir() / ("libcvpipe_" + plugin + ".so"); }

struct StageHarness::State {
  PluginRegistry registry;
  std::filesystem::path file;
  const StageInfo* info = nullptr;
  std::string stage_name;
  Status load_status;
  StageHandle stage;
  Params params;
  StreamInfo out_info;
  HostLogger logger;  // warnings and errors to stderr, as `cvpipe run` by default
  bool open = false;

  State(std::filesystem::path library, const std::string& stage) : file(std::move(library)), stage_name(stage) {
    load_status = registry.load_file(file);
    if (!load_status.ok()) return;
    info = registry.find_stage(stage);
    if (!info) load_status = Status::not_found("plugin file '" + file.string() + "' has no stage '" + stage + "'");
  }
};

StageHarness::StageHarness(const std::string& plugin, const std::string& stage)
    : StageHarness(PluginFile{plugin_file(plugin)}, stage) {}

StageHarness::StageHarness(const PluginFile& library, const std::string& stage)
    : s_(std::make_unique<State>(library.path, stage)) {}

StageHarness::~StageHarness() {
  if (s_) close();
}

const Status& StageHarness::load_status() const { return s_->load_status; }
const std::filesystem::path& StageHarness::library() const { return s_->file; }
const StageEntry* StageHarness::entry() const { return s_->info ? s_->info->entry : nullptr; }
const std::vector<ParamSpec>& StageHarness::schema() const { return s_->info ? s_->info->params : no_params(); }
const StageContract& StageHarness::contract() const {
  static const StageContract any;
  return s_->info ? s_->info->contract : any;
}
const Params& StageHarness::params() const { return s_->params; }
const StreamInfo& StageHarness::out_info() const { return s_->out_info; }
Stage* StageHarness::stage() { return s_->stage.get(); }

Status StageHarness::configure(const ParamTexts& values, StageContext ctx) {
  CVPIPE_RETURN_IF_ERROR(s_->load_status);
  close();
  s_->stage.reset();
  Params p;
  const auto problems = validate_texts(s_->info->params, values, ctx.config_dir, "stage '" + s_->stage_name + "'", "parameter", p);
  if (!problems.empty()) {
    std::string msg;
    for (const auto& m : problems) msg += (msg.empty() ? "" : "; ") + m;
    return Status::invalid(msg);
  }
  s_->params = p;
  if (const auto check = s_->info->entry->check_params)
    CVPIPE_RETURN_IF_ERROR(guarded("check_params", [&] { return check(s_->params); }));
  CVPIPE_RETURN_IF_ERROR(s_->registry.create_stage(s_->stage_name, s_->stage));
  if (ctx.instance_name.empty()) ctx.instance_name = s_->stage_name;
  if (!ctx.logger) ctx.logger = &s_->logger;
  return guarded("configure", [&] { return s_->stage->configure(s_->params, ctx); });
}

Status StageHarness::open(const StreamInfo& in) {
  if (!s_->stage) return Status::runtime("harness: open() before a successful configure()");
  if (!contract().input.admits_type(in.type))
    return Status::invalid("stage '" + s_->stage_name + "': its input is " + FrameContract::type_text(in.type) +
                           " frames, but the stage takes " + contract().input.text());
  s_->out_info = in;
  CVPIPE_RETURN_IF_ERROR(guarded("open", [&] { return s_->stage->open(in, s_->out_info); }));
  s_->open = true;
  return {};
}

Status StageHarness::fits_input(const Frame& frame) const {
  if (const std::string why = contract().input.mismatch(frame); !why.empty())
    return Status::unsupported("stage '" + s_->stage_name + "': " + frame_text(frame) + ": the stage " + why);
  return {};
}

Status StageHarness::transform(Frame& frame, std::vector<Frame>& out) {
  if (!s_->open) return Status::runtime("harness: transform() before open()");
  CVPIPE_RETURN_IF_ERROR(fits_input(frame));
  FrameCollector collect(out);
  return guarded("transform", [&] { return s_->stage->transform(frame, collect); });
}

Status StageHarness::process(Frame& frame) {
  std::vector<Frame> out;
  CVPIPE_RETURN_IF_ERROR(transform(frame, out));
  if (out.size() != 1)
    return Status::runtime("harness: process() expects one frame out, the stage emitted " + std::to_string(out.size()) +
                           " (use transform())");
  frame = std::move(out.front());
  return {};
}

Status StageHarness::process_batch(std::vector<Frame>& frames) {
  if (!s_->open) return Status::runtime("harness: process_batch() before open()");
  for (const Frame& f : frames) CVPIPE_RETURN_IF_ERROR(fits_input(f));
  return guarded("process_batch", [&] { return s_->stage->process_batch(frames); });
}

Status StageHarness::consume(const Frame& frame) {
  if (!s_->open) return Status::runtime("harness: consume() before open()");
  CVPIPE_RETURN_IF_ERROR(fits_input(frame));
  return guarded("consume", [&] { return s_->stage->consume(frame); });
}

Status StageHarness::produce(Frame& frame) {
  if (!s_->open) return Status::runtime("harness: produce() before open()");
  return guarded("produce", [&] { return s_->stage->produce(frame); });
}

Status StageHarness::finish(std::vector<Frame>& out) {
  if (!s_->open) return Status::runtime("harness: finish() before open()");
  FrameCollector collect(out);
  return guarded("finish", [&] { return s_->stage->finish(collect); });
}

Status StageHarness::close() {
  if (!s_->open) return {};
  s_->open = false;
  return guarded("close", [&] { return s_->stage->close(); });
}

Status StageHarness::run(const std::vector<Frame>& in, std::vector<Frame>& out, const ParamTexts& params,
                         const StreamInfo& in_info) {
  CVPIPE_RETURN_IF_ERROR(configure(params));
  Status st = open(in_info);
  if (!st.ok()) return st;
  int batch = 1;
  st = guarded("preferred_batch", [&] { batch = s_->stage->preferred_batch(); return Status{}; });
  size_t i = 0;
  while (st.ok() && i < in.size()) {
    std::vector<Frame> chunk;
    for (; i < in.size() && chunk.size() < static_cast<size_t>(std::max(1, batch)); ++i) chunk.push_back(in[i]);
    if (entry()->kind == StageKind::sink) {
      st = consume(chunk.front());
    } else if (batch > 1) {
      st = process_batch(chunk);
      if (st.ok()) std::move(chunk.begin(), chunk.end(), std::back_inserter(out));
    } else {
      st = transform(chunk.front(), out);
    }
  }
  if (st.ok()) st = finish(out);
  Status cs = close();
  return st.ok() ? cs : st;
}

Status StageHarness::run_one(const Frame& in, Frame& out, const ParamTexts& params) {
  std::vector<Frame> outs;
  CVPIPE_RETURN_IF_ERROR(run({in}, outs, params));
  if (outs.size() != 1)
    return Status::runtime("harness: expected one frame out, got " + std::to_string(outs.size()));
  out = std::move(outs.front());
  return {};
}

}  // namespace cvpipe::test
