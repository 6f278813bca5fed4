// A well-formed test plugin ("unittest") for the unit tests: stages and commands with every
// parameter type, so the config loader, `plugins show`, `train` and `eval` can be tested without
// the real plugins. Stage names start with "ut_" so they never clash with real ones.
#include <chrono>
#include <cstdio>
#include <thread>

#include "cvpipe/plugin.hpp"

namespace {

using cvpipe::Frame;
using cvpipe::ParamSpec;
using cvpipe::Params;
using cvpipe::SourceStage;
using cvpipe::TransformStage;
using cvpipe::StageContext;
using cvpipe::Status;

// Produces `count` gray frames of width x height.
class UtSource : public SourceStage {
 public:
  static std::vector<ParamSpec> params() {
    return {ParamSpec::integer("count", 3, 1, 1000, "frames to produce"),
            ParamSpec::integer("width", 32, 1, 4096, "frame width"),
            ParamSpec::integer("height", 24, 1, 4096, "frame height"),
            ParamSpec::integer("delay_ms", 0, 0, 10000, "sleep before each frame (a slow source)"),
            ParamSpec::path("touch", std::string(), false, "create this file when the first frame is produced")};
  }
  Status configure(const Params& p, const StageContext&) override {
    count_ = p.get_int("count");
    size_ = cv::Size(static_cast<int>(p.get_int("width")), static_cast<int>(p.get_int("height")));
    delay_ms_ = p.get_int("delay_ms");
    touch_ = p.get_string("touch");
    return {};
  }
  Status produce(Frame& f) override {
    if (done_ >= count_) return Status::end_of_stream();
    if (done_ == 0 && !touch_.empty()) std::fclose(std::fopen(touch_.c_str(), "w"));
    if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
    f.image = cv::Mat(size_, CV_8UC1, cv::Scalar(static_cast<double>(done_ * 10 % 256)));
    f.source = "ut_" + std::to_string(done_++);
    return {};
  }

 private:
  int64_t count_ = 0, done_ = 0, delay_ms_ = 0;
  std::string touch_;
  cv::Size size_;
};

// Scales pixel values; has one parameter of every type but `path`.
class UtScale : public TransformStage {
 public:
  static std::vector<ParamSpec> params() {
    return {ParamSpec::number("factor", 1.0, 0.0, 10.0, "multiply pixels by this"),
            ParamSpec::integer("ksize", 3, 1, 31, "kernel size"),
            ParamSpec::choice("mode", "fast", {"fast", "exact"}, "how to compute"),
            ParamSpec::string("label", std::string(), "a free text"),
            ParamSpec::boolean("enabled", true, "when false, frames pass unchanged")};
  }
  Status configure(const Params& p, const StageContext&) override {
    factor_ = p.get_number("factor");
    enabled_ = p.get_bool("enabled");
    return {};
  }
  Status process(Frame& f) override {
    if (f.image.empty()) return Status::invalid("ut_scale: empty image");
    if (enabled_) f.image.convertTo(f.image, -1, factor_);
    return {};
  }

 private:
  double factor_ = 1.0;
  bool enabled_ = true;
};

// Needs a model file (required path that must exist) and a threshold that also accepts "auto".
class UtModel : public TransformStage {
 public:
  static std::vector<ParamSpec> params() {
    return {ParamSpec::path("model", std::nullopt, true, "weights file"),
            ParamSpec::number("threshold", 0.5, 0.0, 1.0, "score threshold").also_accepts({"auto"}),
            ParamSpec::path("log", std::string(), false, "optional log file")};
  }
  Status configure(const Params& p, const StageContext&) override {
    if (p.get_string("model").find("fail_configure") != std::string::npos)
      return Status::invalid("cannot read model '" + p.get_string("model") + "'");
    return {};
  }
  Status process(Frame&) override { return {}; }
};

std::vector<ParamSpec> train_params() {
  return {ParamSpec::integer("epochs", 1, 1, 100, "passes over the data"),
          ParamSpec::number("lr", 0.1, 0.0, 10.0, "learning rate"),
          ParamSpec::path("data", std::nullopt, true, "training data folder"),
          ParamSpec::choice("outcome", "ok", {"ok", "runtime", "invalid", "cancel"}, "what the command returns (tests)"),
          ParamSpec::path("out", "", false, "output folder"),
          ParamSpec::path("model", "", false, "model file to write"),
          ParamSpec::integer("threads", 0, 0, 64, "compute threads")};
}

Status outcome(const std::string& o) {
  if (o == "runtime") return Status::runtime("training diverged");
  if (o == "invalid") return Status::invalid("dataset is empty");
  if (o == "cancel") return {cvpipe::StatusCode::cancelled, "interrupted"};
  return {};
}

Status run_train(const Params& p, const cvpipe::CommandContext& ctx, std::string& output) {
  output = "{\"epochs\":" + std::to_string(p.get_int("epochs")) + ",\"data\":\"" + p.get_string("data") +
           "\",\"out\":\"" + ctx.out_dir.string() + "\",\"resume\":\"" + ctx.resume.string() +
           "\",\"threads\":" + std::to_string(ctx.threads) + ",\"config_dir\":\"" + ctx.config_dir.string() +
           "\",\"model\":\"" + p.get_string("model") + "\",\"out_param\":\"" + p.get_string("out") +
           "\",\"command_line\":\"" + ctx.command_line + "\",\"stop_token\":" + (ctx.stop ? "true" : "false") + "}";
  return outcome(p.get_string("outcome"));
}

std::vector<ParamSpec> eval_params() {
  return {ParamSpec::string("name", std::nullopt, "what to evaluate"),
          ParamSpec::integer("n", 10, 1, 1000, "samples"),
          ParamSpec::number("sigma", 25.0, 0.0, 100.0, "noise level"),
          ParamSpec::boolean("verbose", false, "more output"),
          ParamSpec::choice("outcome", "ok", {"ok", "runtime", "invalid", "cancel"}, "what the command returns (tests)")};
}

Status run_eval(const Params& p, const cvpipe::CommandContext&, std::string& output) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "{\"name\":\"%s\",\"n\":%lld,\"sigma\":%g,\"verbose\":%s}", p.get_string("name").c_str(),
                static_cast<long long>(p.get_int("n")), p.get_number("sigma"), p.get_bool("verbose") ? "true" : "false");
  output = buf;
  return outcome(p.get_string("outcome"));
}

const cvpipe::StageEntry kStages[] = {
    cvpipe::stage_entry<UtSource>("ut_source", "test source: gray frames"),
    cvpipe::stage_entry<UtScale>("ut_scale", "test transform: scales pixels"),
    cvpipe::stage_entry<UtModel>("ut_model", "test transform that needs a model file"),
};

const cvpipe::CommandEntry kCommands[] = {
    {"train", "test trainer: echoes its parameters", &train_params, &run_train},
    {"eval", "test evaluation: echoes its parameters", &eval_params, &run_eval},
};

}  // namespace

CVPIPE_PLUGIN("unittest", "0.0.1", kStages, kCommands)
