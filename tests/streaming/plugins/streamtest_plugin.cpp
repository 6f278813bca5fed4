// Plugin "streamtest" for the streaming executor tests (built into the test tree only, never
// installed). Stages:
//   ticker (source)  `count` frames (0: endless) every `interval_ms`, optionally `live`; pts from
//                    `pts_ms` (comma-separated, for the first frames) else index * interval
//   slow             sleeps `ms` (+ up to `jitter_ms`, pseudo-random by seq) per frame; fails the
//                    frame when it is called from two threads at once or sees seq go backwards
//   probe            counts how many probe calls run at the same moment, across all instances
//                    (meta "probe_peak": the highest count seen so far)
//   thread_tag       costs nothing; tags the frame with the calling thread (meta "thread_<name>";
//                    the ticker's `tag_thread` adds "thread_source"): which thread ran what
//   nn_budget        runs a small nn network (once in configure, as a model stage warms up, then
//                    per frame) and never sets threads; meta "nn_threads": the thread budget the
//                    network's plans were made for when the frame ran
#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <sstream>
#include <thread>
#include <vector>

#include "cvpipe/nn/layers.hpp"
#include "cvpipe/nn/containers.hpp"
#include "cvpipe/plugin.hpp"

namespace {

using namespace cvpipe;

int64_t thread_tag() {
  return static_cast<int64_t>(std::hash<std::thread::id>{}(std::this_thread::get_id()) & 0x7fffffffffffull);
}

class Ticker final : public SourceStage {
 public:
  static std::vector<ParamSpec> params() {
    return {ParamSpec::integer("count", 10, 0, 1e9, "frames to produce; 0: endless"),
            ParamSpec::integer("interval_ms", 0, 0, 10000, "time between frames"),
            ParamSpec::boolean("live", false, "announce a live stream"),
            ParamSpec::string("pts_ms", std::string(), "comma-separated pts (ms) of the first frames"),
            ParamSpec::boolean("tag_thread", false, "meta thread_source: the thread that produced the frame")};
  }
  Status configure(const Params& p, const StageContext&) override {
    count_ = p.get_int("count");
    interval_ms_ = p.get_int("interval_ms");
    live_ = p.get_bool("live");
    tag_thread_ = p.get_bool("tag_thread");
    std::stringstream ss(p.get_string("pts_ms"));
    std::string part;
    while (std::getline(ss, part, ','))
      if (!part.empty()) pts_ms_.push_back(std::stoll(part));
    return {};
  }
  Status open(const StreamInfo&, StreamInfo& out) override {
    out = StreamInfo{};
    out.size = cv::Size(16, 12);
    out.type = CV_8UC3;
    out.fps = interval_ms_ > 0 ? 1000.0 / static_cast<double>(interval_ms_) : 25.0;
    out.frame_count = live_ || count_ == 0 ? -1 : count_;
    out.live = live_;
    next_time_ = std::chrono::steady_clock::now();
    return {};
  }
  Status produce(Frame& f) override {
    if (count_ > 0 && next_ >= count_) return Status::end_of_stream();
    if (interval_ms_ > 0) {
      next_time_ += std::chrono::milliseconds(interval_ms_);
      std::this_thread::sleep_until(next_time_);
    }
    const int64_t seq = f.seq;
    f = Frame{};
    f.seq = seq;
    f.image = cv::Mat(12, 16, CV_8UC3, cv::Scalar::all(static_cast<double>(next_ % 256)));
    f.source = "tick_" + std::to_string(next_);
    const size_t i = static_cast<size_t>(next_);
    f.pts_ns = (i < pts_ms_.size() ? pts_ms_[i] : next_ * std::max<int64_t>(interval_ms_, 1)) * 1000000;
    f.meta["tick"] = next_;
    if (tag_thread_) f.meta["thread_source"] = thread_tag();
    ++next_;
    return {};
  }

 private:
  int64_t count_ = 10, interval_ms_ = 0, next_ = 0;
  bool live_ = false, tag_thread_ = false;
  std::vector<int64_t> pts_ms_;
  std::chrono::steady_clock::time_point next_time_;
};

class Slow final : public TransformStage {
 public:
  static std::vector<ParamSpec> params() {
    return {ParamSpec::integer("ms", 1, 0, 10000, "sleep per frame"),
            ParamSpec::integer("jitter_ms", 0, 0, 1000, "extra sleep, 0..jitter_ms, varying by frame")};
  }
  Status configure(const Params& p, const StageContext&) override {
    ms_ = p.get_int("ms");
    jitter_ = p.get_int("jitter_ms");
    return {};
  }
  Status process(Frame& f) override {
    if (in_flight_.fetch_add(1) != 0) {
      in_flight_.fetch_sub(1);
      return Status::runtime("slow: called from two threads at once");
    }
    const int64_t extra = jitter_ > 0 ? (f.seq * 7919 + 13) % (jitter_ + 1) : 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(ms_ + extra));
    const bool backwards = f.seq < last_seq_;
    last_seq_ = f.seq;
    in_flight_.fetch_sub(1);
    if (backwards) return Status::runtime("slow: seq went backwards");
    return {};
  }

 private:
  int64_t ms_ = 1, jitter_ = 0, last_seq_ = -1;
  std::atomic<int> in_flight_{0};
};

std::atomic<int> g_probes_running{0};
std::atomic<int> g_probe_peak{0};

class Probe final : public TransformStage {
 public:
  static std::vector<ParamSpec> params() { return {ParamSpec::integer("ms", 2, 0, 1000, "busy time per frame")}; }
  Status configure(const Params& p, const StageContext&) override {
    ms_ = p.get_int("ms");
    g_probe_peak = 0;
    return {};
  }
  Status process(Frame& f) override {
    const int now = ++g_probes_running;
    int peak = g_probe_peak.load();
    while (now > peak && !g_probe_peak.compare_exchange_weak(peak, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(ms_));
    --g_probes_running;
    f.meta["probe_peak"] = static_cast<int64_t>(g_probe_peak.load());
    return {};
  }

 private:
  int64_t ms_ = 2;
};

class ThreadTag final : public TransformStage {
 public:
  static std::vector<ParamSpec> params() { return {}; }
  Status configure(const Params&, const StageContext& ctx) override {
    key_ = "thread_" + ctx.instance_name;
    return {};
  }
  Status process(Frame& f) override {
    f.meta[key_] = thread_tag();
    return {};
  }

 private:
  std::string key_;
};

class NnBudget final : public TransformStage {
 public:
  static std::vector<ParamSpec> params() { return {}; }
  Status configure(const Params&, const StageContext&) override {
    net_.emplace<nn::Conv2d>("conv", 1, 4, 3, 1, 1);
    net_.emplace<nn::ReLU>("relu");
    net_.eval();
    net_.forward(input_);
    return {};
  }
  Status process(Frame& f) override {
    net_.forward(input_);
    f.meta["nn_threads"] = static_cast<int64_t>(net_.planned_threads());
    return {};
  }

 private:
  nn::Sequential net_;
  nn::Tensor input_ = nn::Tensor::zeros({1, 1, 32, 32});
};

const StageEntry kStages[] = {
    stage_entry<Ticker>("ticker", "timed test frames, optionally live, with chosen timestamps"),
    stage_entry<Slow>("slow", "sleeps per frame; checks it is never called concurrently or out of order"),
    stage_entry<Probe>("probe", "measures how many probe calls overlap"),
    stage_entry<ThreadTag>("thread_tag", "tags the frame with the calling thread"),
    stage_entry<NnBudget>("nn_budget", "runs a small network; tags the frame with its thread budget"),
};

}  // namespace

CVPIPE_PLUGIN("streamtest", "0.1.0", kStages, nullptr)
