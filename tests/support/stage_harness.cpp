// StageHarness: see stage_harness.hpp.
#include "support/stage_harness.hpp"

#include <cstdlib>
#include <exception>

#include "schema.hpp"

#ifndef CVPIPE_TEST_PLUGIN_DIR
#error "CVPIPE_TEST_PLUGIN_DIR must name the build tree's plugin folder"
#endif

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
  return CVPIPE_TEST_PLUGIN_DIR;
}

std::filesystem::path plugin_file(const std::string& plugin) { return plugin_dir() / ("libcvpipe_" + plugin + ".so"); }

StageHarness::StageHarness(const std::string& plugin, const std::string& stage)
    : registry_(std::make_unique<PluginRegistry>()), stage_name_(stage) {
  const auto file = plugin_file(plugin);
  load_status_ = registry_->load_file(file);
  if (!load_status_.ok()) return;
  info_ = registry_->find_stage(stage);
  if (!info_) load_status_ = Status::not_found("plugin file '" + file.string() + "' has no stage '" + stage + "'");
}

StageHarness::~StageHarness() { close(); }

const std::vector<ParamSpec>& StageHarness::schema() const { return info_ ? info_->params : no_params(); }

Status StageHarness::configure(const ParamTexts& values, StageContext ctx) {
  CVPIPE_RETURN_IF_ERROR(load_status_);
  close();
  stage_.reset();
  Params p;
  const auto problems = validate_texts(info_->params, values, ctx.config_dir, "stage '" + stage_name_ + "'", "parameter", p);
  if (!problems.empty()) {
    std::string msg;
    for (const auto& m : problems) msg += (msg.empty() ? "" : "; ") + m;
    return Status::invalid(msg);
  }
  params_ = p;
  CVPIPE_RETURN_IF_ERROR(registry_->create_stage(stage_name_, stage_));
  if (ctx.instance_name.empty()) ctx.instance_name = stage_name_;
  return guarded("configure", [&] { return stage_->configure(params_, ctx); });
}

Status StageHarness::open(const StreamInfo& in) {
  if (!stage_) return Status::runtime("harness: open() before a successful configure()");
  out_info_ = in;
  CVPIPE_RETURN_IF_ERROR(guarded("open", [&] { return stage_->open(in, out_info_); }));
  open_ = true;
  return {};
}

Status StageHarness::process(Frame& frame) {
  if (!open_) return Status::runtime("harness: process() before open()");
  return guarded("process", [&] { return stage_->process(frame); });
}

Status StageHarness::process_batch(std::vector<Frame>& frames) {
  if (!open_) return Status::runtime("harness: process_batch() before open()");
  return guarded("process_batch", [&] { return stage_->process_batch(frames); });
}

Status StageHarness::produce(Frame& frame) {
  if (!open_) return Status::runtime("harness: produce() before open()");
  return guarded("produce", [&] { return stage_->produce(frame); });
}

Status StageHarness::finish(std::vector<Frame>& out) {
  if (!open_) return Status::runtime("harness: finish() before open()");
  return guarded("finish", [&] { return stage_->finish(out); });
}

Status StageHarness::close() {
  if (!open_) return {};
  open_ = false;
  return guarded("close", [&] { return stage_->close(); });
}

Status StageHarness::run(const std::vector<Frame>& in, std::vector<Frame>& out, const ParamTexts& params,
                         const StreamInfo& in_info) {
  CVPIPE_RETURN_IF_ERROR(configure(params));
  Status st = open(in_info);
  if (!st.ok()) return st;
  int batch = 1;
  st = guarded("preferred_batch", [&] { batch = stage_->preferred_batch(); return Status{}; });
  size_t i = 0;
  while (st.ok() && i < in.size()) {
    std::vector<Frame> chunk;
    for (; i < in.size() && chunk.size() < static_cast<size_t>(std::max(1, batch)); ++i) chunk.push_back(in[i]);
    if (batch > 1) {
      st = process_batch(chunk);
    } else {
      st = process(chunk.front());
    }
    if (!st.ok()) break;
    for (auto& f : chunk)
      if (!f.consumed) out.push_back(std::move(f));
  }
  if (st.ok()) {
    std::vector<Frame> rest;
    st = finish(rest);
    for (auto& f : rest)
      if (!f.consumed) out.push_back(std::move(f));
  }
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
