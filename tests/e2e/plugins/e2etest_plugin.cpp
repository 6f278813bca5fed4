// Plugin "e2etest" for the executor and e2e tests (built into the test tree only, never
// installed). Stages:
//   counter (source)  `count` frames (0: endless) of width x height, pixel value = index % 256,
//                     source "count_N", one label and one detection; optional fail_at / delay_ms
//   fail_on           fails (or throws, or crashes with SIGSEGV) for the frames whose seq is listed in `seqs`
//   batcher           prefers batches of `batch`; writes meta["batch_size"] on each frame
//   absorb            consumes odd-seq frames; at finish emits one frame "absorbed" counting them
//   repeat            emits `times` copies of each frame (meta["copy"] = 0, 1, ...)
//   gray_only         declares 8-bit gray in and out (contract); crashes on a frame outside it
//   window            keeps low <= seq <= high; check_params refuses low > high
//   seq_log (sink)    writes "seq source WxH" lines to `path` at close
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <set>
#include <stdexcept>
#include <thread>

#include "cvpipe/plugin.hpp"

namespace {

using namespace cvpipe;

class Counter final : public SourceStage {
 public:
  static std::vector<ParamSpec> params() {
    return {ParamSpec::integer("count", 10, 0, 1e9, "frames to produce; 0: endless"),
            ParamSpec::integer("width", 32, 1, 4096, "frame width"),
            ParamSpec::integer("height", 24, 1, 4096, "frame height"),
            ParamSpec::integer("fail_at", -1, -1, 1e9, "index whose produce() fails; -1: none"),
            ParamSpec::integer("delay_ms", 0, 0, 10000, "sleep before each frame")};
  }
  Status configure(const Params& p, const StageContext&) override {
    count_ = p.get_int("count");
    size_ = cv::Size(static_cast<int>(p.get_int("width")), static_cast<int>(p.get_int("height")));
    fail_at_ = p.get_int("fail_at");
    delay_ms_ = p.get_int("delay_ms");
    return {};
  }
  Status open(const StreamInfo&, StreamInfo& out) override {
    out = StreamInfo{};
    out.size = size_;
    out.type = CV_8UC3;
    out.fps = 10;
    out.frame_count = count_ > 0 ? count_ : -1;
    return {};
  }
  Status produce(Frame& f) override {
    if (count_ > 0 && next_ >= count_) return Status::end_of_stream();
    if (next_ == fail_at_) {
      ++next_;
      return Status::runtime("counter: deliberate failure at index " + std::to_string(fail_at_));
    }
    if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
    const int64_t seq = f.seq;
    f = Frame{};
    f.seq = seq;
    f.image = cv::Mat(size_, CV_8UC3, cv::Scalar::all(static_cast<double>(next_ % 256)));
    f.source = "count_" + std::to_string(next_);
    f.pts_ns = next_ * 100000000;
    f.labels.push_back(Label{static_cast<int>(next_ % 10), "digit" + std::to_string(next_ % 10), 0.5f});
    f.detections.push_back(Detection{cv::Rect2f(1, 2, 3.5f, 4), 7, "thing", 0.25f});
    ++next_;
    return {};
  }

 private:
  int64_t count_ = 10, fail_at_ = -1, delay_ms_ = 0, next_ = 0;
  cv::Size size_;
};

class FailOn final : public TransformStage {
 public:
  static std::vector<ParamSpec> params() {
    return {ParamSpec::string("seqs", std::string(), "comma-separated seq numbers that fail"),
            ParamSpec::boolean("throw", false, "throw an exception instead of returning an error"),
            ParamSpec::boolean("crash", false, "raise SIGSEGV instead of returning an error")};
  }
  Status configure(const Params& p, const StageContext& ctx) override {
    ctx.log(LogLevel::info, "fails frames '" + p.get_string("seqs") + "'");
    std::stringstream ss(p.get_string("seqs"));
    std::string part;
    while (std::getline(ss, part, ','))
      if (!part.empty()) seqs_.insert(std::stoll(part));
    throw_ = p.get_bool("throw");
    crash_ = p.get_bool("crash");
    return {};
  }
  Status process(Frame& f) override {
    if (!seqs_.count(f.seq)) return {};
    if (crash_) std::raise(SIGSEGV);
    if (throw_) throw std::runtime_error("fail_on: thrown at seq " + std::to_string(f.seq));
    return Status::runtime("fail_on: deliberate failure at seq " + std::to_string(f.seq));
  }

 private:
  std::set<int64_t> seqs_;
  bool throw_ = false, crash_ = false;
};

class Batcher final : public TransformStage {
 public:
  static std::vector<ParamSpec> params() { return {ParamSpec::integer("batch", 3, 1, 64, "preferred batch size")}; }
  Status configure(const Params& p, const StageContext&) override {
    batch_ = static_cast<int>(p.get_int("batch"));
    return {};
  }
  int preferred_batch() const override { return batch_; }
  Status process(Frame& f) override {
    f.meta["batch_size"] = int64_t{1};
    return {};
  }
  Status process_batch(std::vector<Frame>& frames) override {
    for (auto& f : frames) f.meta["batch_size"] = static_cast<int64_t>(frames.size());
    return {};
  }

 private:
  int batch_ = 3;
};

class Absorb final : public TransformStage {
 public:
  static std::vector<ParamSpec> params() { return {}; }
  Status configure(const Params&, const StageContext&) override { return {}; }
  Status transform(Frame& f, Emitter& out) override {
    if (f.seq % 2 == 1) ++absorbed_;
    else out.emit(std::move(f));
    return {};
  }
  Status finish(Emitter& out) override {
    Frame f;
    f.image = cv::Mat(4, 4, CV_8UC3, cv::Scalar::all(9));
    f.source = "absorbed";
    f.seq = 1000;
    f.meta["absorbed"] = absorbed_;
    out.emit(std::move(f));
    return {};
  }

 private:
  int64_t absorbed_ = 0;
};

class Repeat final : public TransformStage {
 public:
  static std::vector<ParamSpec> params() { return {ParamSpec::integer("times", 2, 0, 16, "copies emitted per input frame")}; }
  static StageContract contract() { return {{}, {{}, {}, {"copy"}}}; }
  Status configure(const Params& p, const StageContext&) override {
    times_ = p.get_int("times");
    return {};
  }
  Status transform(Frame& f, Emitter& out) override {
    for (int64_t k = 0; k < times_; ++k) {
      Frame copy = f;
      copy.meta["copy"] = k;
      out.emit(std::move(copy));
    }
    return {};
  }

 private:
  int64_t times_ = 2;
};

class GrayOnly final : public TransformStage {
 public:
  static std::vector<ParamSpec> params() { return {}; }
  static StageContract contract() { return {{{CV_8U}, {1}, {}}, {{CV_8U}, {1}, {}}}; }
  Status configure(const Params&, const StageContext&) override { return {}; }
  Status process(Frame& f) override {
    if (f.image.channels() != 1) std::raise(SIGSEGV);  // the host never lets such a frame through
    return {};
  }
};

class Window final : public TransformStage {
 public:
  static std::vector<ParamSpec> params() {
    return {ParamSpec::integer("low", 0, 0, 1000, "first seq kept"), ParamSpec::integer("high", 10, 0, 1000, "last seq kept")};
  }
  static Status check_params(const Params& p) {
    if (p.get_int("low") > p.get_int("high"))
      return Status::invalid("'low' (" + std::to_string(p.get_int("low")) + ") is above 'high' (" +
                             std::to_string(p.get_int("high")) + ")");
    return {};
  }
  Status configure(const Params& p, const StageContext&) override {
    low_ = p.get_int("low");
    high_ = p.get_int("high");
    return {};
  }
  Status transform(Frame& f, Emitter& out) override {
    if (f.seq >= low_ && f.seq <= high_) out.emit(std::move(f));
    return {};
  }

 private:
  int64_t low_ = 0, high_ = 10;
};

// Writes "seq source WxH" per frame to `path` at close (through a temporary name, renamed).
class SeqLog final : public SinkStage {
 public:
  static std::vector<ParamSpec> params() { return {ParamSpec::path("path", std::nullopt, false, "the text file to write")}; }
  static StageContract contract() { return {{{CV_8U}, {}, {}}, {}}; }
  Status configure(const Params& p, const StageContext&) override {
    path_ = p.get_string("path");
    return {};
  }
  Status consume(const Frame& f) override {
    lines_ << f.seq << ' ' << f.source << ' ' << f.image.cols << 'x' << f.image.rows << '\n';
    return {};
  }
  Status close() override {
    const std::string tmp = path_ + ".tmp";
    {
      std::ofstream out(tmp);
      out << lines_.str();
      if (!out) return Status::io("seq_log: cannot write " + tmp);
    }
    if (std::rename(tmp.c_str(), path_.c_str()) != 0) return Status::io("seq_log: cannot rename to " + path_);
    return {};
  }

 private:
  std::string path_;
  std::ostringstream lines_;
};

const StageEntry kStages[] = {
    stage_entry<Counter>("counter", "numbered test frames"),
    stage_entry<FailOn>("fail_on", "fails chosen frames"),
    stage_entry<Batcher>("batcher", "prefers batches"),
    stage_entry<Absorb>("absorb", "consumes odd frames, emits one at finish"),
    stage_entry<Repeat>("repeat", "emits `times` copies of each frame"),
    stage_entry<GrayOnly>("gray_only", "declares 8-bit gray in and out; crashes on anything else"),
    stage_entry<Window>("window", "keeps frames with low <= seq <= high (low > high is refused)"),
    stage_entry<SeqLog>("seq_log", "sink: one line per frame into a text file"),
};

}  // namespace

CVPIPE_PLUGIN("e2etest", "0.1.0", kStages, nullptr)
