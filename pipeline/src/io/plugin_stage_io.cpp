// A plugin's source and sink stages as io objects: see plugin_stage_io.hpp.
#include "io/plugin_stage_io.hpp"

#include <exception>

namespace cvpipe::io {

namespace {

template <class Fn>
Status call(const std::string& what, Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return Status::runtime(what + " threw: " + e.what());
  } catch (...) {
    return Status::runtime(what + " threw an unknown exception");
  }
}

class GenerateSource final : public Source {
 public:
  GenerateSource(StageHandle stage, std::string name, Params params, StageContext ctx)
      : stage_(std::move(stage)), name_(std::move(name)), params_(std::move(params)), ctx_(std::move(ctx)) {}
  ~GenerateSource() override { close(); }

  Status open(StreamInfo& info) override {
    CVPIPE_RETURN_IF_ERROR(call("configure", [&] { return stage_->configure(params_, ctx_); }));
    StreamInfo none;
    info = StreamInfo{};
    CVPIPE_RETURN_IF_ERROR(call("open", [&] { return stage_->open(none, info); }));
    opened_ = true;
    return {};
  }

  Status read(Frame& frame) override {
    if (ended_) return Status::end_of_stream();
    Status st = call("produce", [&] { return stage_->produce(frame); });
    // A generator that failed is not asked again: every read must make progress.
    if (!st.ok()) ended_ = true;
    return st;
  }

  std::string describe() const override { return "generate:" + name_; }

  Status close() override {
    if (!opened_) return {};
    opened_ = false;
    return call("close", [&] { return stage_->close(); });
  }

 private:
  StageHandle stage_;
  std::string name_;
  Params params_;
  StageContext ctx_;
  bool opened_ = false;
  bool ended_ = false;
};

class PluginSink final : public Sink {
 public:
  PluginSink(StageHandle stage, std::string name, Params params, StageContext ctx, StageContract contract)
      : stage_(std::move(stage)), name_(std::move(name)), params_(std::move(params)), ctx_(std::move(ctx)),
        contract_(std::move(contract)) {}
  ~PluginSink() override { close(); }

  Status open(const StreamInfo& info) override {
    if (!contract_.input.admits_type(info.type))
      return Status::invalid("its input is " + FrameContract::type_text(info.type) + " frames, but the stage takes " +
                             contract_.input.text());
    CVPIPE_RETURN_IF_ERROR(call("configure", [&] { return stage_->configure(params_, ctx_); }));
    StreamInfo out = info;
    CVPIPE_RETURN_IF_ERROR(call("open", [&] { return stage_->open(info, out); }));
    opened_ = true;
    return {};
  }

  Status write(const Frame& frame) override {
    if (const std::string why = contract_.input.mismatch(frame); !why.empty()) return Status::unsupported("the stage " + why);
    CVPIPE_RETURN_IF_ERROR(call("consume", [&] { return stage_->consume(frame); }));
    ++written_;
    return {};
  }

  Status close() override {
    if (!opened_) return {};
    opened_ = false;
    std::vector<Frame> ignored;  // what a sink emits at the end goes nowhere
    FrameCollector collect(ignored);
    const Status fin = call("finish", [&] { return stage_->finish(collect); });
    const Status closed = call("close", [&] { return stage_->close(); });
    return fin.ok() ? closed : fin;
  }

  std::string describe() const override { return name_; }
  int64_t written() const override { return written_; }

 private:
  StageHandle stage_;
  std::string name_;
  Params params_;
  StageContext ctx_;
  StageContract contract_;
  bool opened_ = false;
  int64_t written_ = 0;
};

}  // namespace

Status make_plugin_sink(const SinkSpec& spec, const PluginRegistry& registry, const StageContext& ctx,
                        std::unique_ptr<Sink>& out) {
  const StageInfo* info = registry.find_stage(spec.stage);
  if (!info) return Status::not_found("unknown sink stage '" + spec.stage + "'");
  if (info->entry->kind != StageKind::sink)
    return Status::invalid("stage '" + spec.stage + "' is a " + to_string(info->entry->kind) + " stage, not a sink");
  StageHandle stage;
  CVPIPE_RETURN_IF_ERROR(registry.create_stage(spec.stage, stage));
  out = std::make_unique<PluginSink>(std::move(stage), spec.stage, spec.params, ctx, info->contract);
  return {};
}

Status make_generate_source(const SourceSpec& spec, const PluginRegistry& registry, const StageContext& ctx,
                            std::unique_ptr<Source>& out) {
  if (spec.stage.empty()) return Status::invalid("a generate source needs 'stage', the name of a source stage");
  const StageInfo* info = registry.find_stage(spec.stage);
  if (!info) return Status::not_found("unknown source stage '" + spec.stage + "'");
  if (info->entry->kind != StageKind::source)
    return Status::invalid("stage '" + spec.stage + "' is a " + to_string(info->entry->kind) + " stage, not a source");
  StageHandle stage;
  CVPIPE_RETURN_IF_ERROR(registry.create_stage(spec.stage, stage));
  out = std::make_unique<GenerateSource>(std::move(stage), spec.stage, spec.params, ctx);
  return {};
}

}  // namespace cvpipe::io
