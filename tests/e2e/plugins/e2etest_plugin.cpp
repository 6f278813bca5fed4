// Plugin "e2etest" for the executor and e2e tests (built into the test tree only, never
// installed). Stages:
//   counter (source)  `count` frames (0: endless) of width x height, pixel value = index % 256,
//                     source "count_N", one label and one detection; optional fail_at / delay_ms
//   fail_on           fails (or throws, or crashes with SIGSEGV) for the frames whose seq is listed in `seqs`
//   batcher           prefers batches of `batch`; writes meta["batch_size"] on each frame
//   absorb            consumes odd-seq frames; at finish emits one frame "absorbed" counting them
#include <chrono>
#include <csignal>
#include <sstream>
#include <set>
#include <stdexcept>
#include <thread>

#include "cvpipe/plugin.hpp"

namespace {

using namespace cvpipe;

class Counter final : public Stage {
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

class FailOn final : public Stage {
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

class Batcher final : public Stage {
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

class Absorb final : public Stage {
 public:
  static std::vector<ParamSpec> params() { return {}; }
  Status configure(const Params&, const StageContext&) override { return {}; }
  Status process(Frame& f) override {
    if (f.seq % 2 == 1) {
      f.consumed = true;
      ++absorbed_;
    }
    return {};
  }
  Status finish(std::vector<Frame>& out) override {
    Frame f;
    f.image = cv::Mat(4, 4, CV_8UC3, cv::Scalar::all(9));
    f.source = "absorbed";
    f.seq = 1000;
    f.meta["absorbed"] = absorbed_;
    out.push_back(std::move(f));
    return {};
  }

 private:
  int64_t absorbed_ = 0;
};

const StageEntry kStages[] = {
    stage_entry<Counter>("counter", "numbered test frames", StageKind::source),
    stage_entry<FailOn>("fail_on", "fails chosen frames", StageKind::transform),
    stage_entry<Batcher>("batcher", "prefers batches", StageKind::transform),
    stage_entry<Absorb>("absorb", "consumes odd frames, emits one at finish", StageKind::transform),
};

}  // namespace

CVPIPE_PLUGIN("e2etest", "0.1.0", kStages, nullptr)
