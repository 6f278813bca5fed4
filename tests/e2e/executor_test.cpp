// The sequential executor, in process, on configs loaded the real way: generate sources,
// consumed frames and finish(), batches, on_error skip/stop, exceptions, max_frames, the stop
// flag, setup failures, and the --metrics / --trace files.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "config.hpp"
#include "executor.hpp"
#include "cvpipe/testing/images.hpp"
#include "support/process.hpp"
#include "cvpipe/testing/stage_harness.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

std::vector<nlohmann::json> read_jsonl(const fs::path& file) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

class Executor : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new PluginRegistry();
    ASSERT_OK(registry_->load_file(plugin_file("imgproc")));
    ASSERT_OK(registry_->load_file(fs::path(E2E_PLUGIN_DIR) / "libcvpipe_e2etest.so"));
  }
  static void TearDownTestSuite() {
    delete registry_;
    registry_ = nullptr;
  }

  PipelineSpec load(const std::string& yaml) {
    PipelineSpec spec;
    const Status st = load_config_text(yaml, (dir_ / "test.yaml").string(), dir_.path(), *registry_, ConfigOptions{}, spec);
    EXPECT_OK(st);
    spec.config_file = dir_ / "test.yaml";
    return spec;
  }

  Status run(const PipelineSpec& spec, RunReport& report, RunOptions options = {}) {
    options.quiet = true;
    return run_pipeline(spec, *registry_, options, report);
  }

  fs::path out(const std::string& name) const { return dir_ / name; }

  static PluginRegistry* registry_;
  TempDir dir_;
};

PluginRegistry* Executor::registry_ = nullptr;

TEST_F(Executor, GenerateSourceThroughStagesToSinks) {
  const auto spec = load(R"(
source: {type: generate, stage: counter, params: {count: 6}}
stages:
  - {stage: gaussian_blur, params: {ksize: 3}}
sinks:
  - {type: jsonl, path: out/frames.jsonl}
  - {type: images, path: out/img}
)");
  RunReport report;
  ASSERT_OK(run(spec, report));
  EXPECT_EQ(report.frames, 6);
  EXPECT_EQ(report.errors, 0);
  const auto lines = read_jsonl(out("out/frames.jsonl"));
  ASSERT_EQ(lines.size(), 6u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(lines[i]["seq"], i);
    EXPECT_EQ(lines[i]["source"], "count_" + std::to_string(i));
  }
  EXPECT_EQ(lines[2]["labels"][0]["name"], "digit2");
  EXPECT_EQ(lines[2]["detections"][0]["box"][2], 3.5);
  EXPECT_EQ(list_files(out("out/img")).size(), 6u);
  ASSERT_EQ(report.stages.size(), 1u);
  EXPECT_EQ(report.stages[0].name, "gaussian_blur");
  EXPECT_EQ(report.stages[0].frames, 6);
  EXPECT_LE(report.stages[0].ms_p50, report.stages[0].ms_p95);
  EXPECT_EQ(report.source.frames, 6);
  ASSERT_EQ(report.sinks.size(), 2u);
  EXPECT_EQ(report.sinks[1].frames, 6);
}

TEST_F(Executor, ConsumedFramesStopAndFinishEmits) {
  const auto spec = load(R"(
source: {type: generate, stage: counter, params: {count: 7}}
stages: [{stage: absorb}]
sinks: [{type: jsonl, path: f.jsonl, meta: true}]
)");
  RunReport report;
  ASSERT_OK(run(spec, report));
  const auto lines = read_jsonl(out("f.jsonl"));
  ASSERT_EQ(lines.size(), 5u);  // seq 0 2 4 6, then the frame finish() emits
  EXPECT_EQ(lines[3]["seq"], 6);
  EXPECT_EQ(lines[4]["source"], "absorbed");
  EXPECT_EQ(lines[4]["meta"]["absorbed"], 3);
  EXPECT_EQ(report.frames, 5);
}

TEST_F(Executor, BatchesOfThePreferredSizeAndTheRestAtTheEnd) {
  for (const auto& [runtime, expected] : std::vector<std::pair<std::string, std::vector<int>>>{
           {"{}", {3, 3, 3, 3, 3, 3, 1}}, {"{batch: 2}", {2, 2, 2, 2, 2, 2, 1}}}) {
    SCOPED_TRACE(runtime);
    const auto spec = load(R"(
source: {type: generate, stage: counter, params: {count: 7}}
stages: [{stage: batcher, params: {batch: 3}}]
sinks: [{type: jsonl, path: b.jsonl, meta: true}]
runtime: )" + runtime);
    RunReport report;
    ASSERT_OK(run(spec, report));
    const auto lines = read_jsonl(out("b.jsonl"));
    ASSERT_EQ(lines.size(), expected.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      EXPECT_EQ(lines[i]["meta"]["batch_size"], expected[i]) << i;
      EXPECT_EQ(lines[i]["seq"], i) << "order is kept";
    }
  }
}

TEST_F(Executor, OnErrorSkipCountsAndGoesOn) {
  const auto spec = load(R"(
source: {type: generate, stage: counter, params: {count: 10}}
stages: [{stage: fail_on, name: picky, params: {seqs: "2,5"}}]
sinks: [{type: jsonl, path: s.jsonl}]
runtime: {on_error: skip}
)");
  RunReport report;
  ASSERT_OK(run(spec, report));
  EXPECT_EQ(report.frames, 8);
  EXPECT_EQ(report.errors, 2);
  EXPECT_EQ(report.stages[0].errors, 2);
  EXPECT_EQ(report.stages[0].name, "picky");
  EXPECT_EQ(read_jsonl(out("s.jsonl")).size(), 8u);
}

TEST_F(Executor, OnErrorStopEndsTheRunNamingStageAndLocation) {
  const auto spec = load(R"(
source: {type: generate, stage: counter, params: {count: 10}}
stages:
  - {stage: fail_on, name: picky, params: {seqs: "2,5"}}
sinks: [{type: jsonl, path: s.jsonl}]
runtime: {on_error: stop}
)");
  RunReport report;
  const Status st = run(spec, report);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("stage 'picky' (fail_on)"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("test.yaml:4:5"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("frame 2 (count_2)"), std::string::npos) << st.message();
  EXPECT_EQ(report.frames, 2);
  EXPECT_EQ(report.errors, 1);
  EXPECT_EQ(read_jsonl(out("s.jsonl")).size(), 2u) << "sinks are closed (file complete) after a stop";
}

TEST_F(Executor, ExceptionsBecomeErrors) {
  const auto spec = load(R"(
source: {type: generate, stage: counter, params: {count: 4}}
stages: [{stage: fail_on, params: {seqs: "1", throw: true}}]
sinks: [{type: null}]
)");
  RunReport report;
  ASSERT_OK(run(spec, report));
  EXPECT_EQ(report.errors, 1);
  EXPECT_EQ(report.frames, 3);
}

TEST_F(Executor, FailingGeneratorEndsTheStream) {
  const auto spec = load(R"(
source: {type: generate, stage: counter, params: {count: 10, fail_at: 3}}
sinks: [{type: null}]
)");
  RunReport report;
  ASSERT_OK(run(spec, report));
  EXPECT_EQ(report.frames, 3);
  EXPECT_EQ(report.source_errors, 1);
  EXPECT_EQ(report.errors, 1);
}

TEST_F(Executor, MaxFramesFromConfigOrOptions) {
  const auto spec = load(R"(
source: {type: generate, stage: counter, params: {count: 0}}
sinks: [{type: null}]
runtime: {max_frames: 4}
)");
  RunReport report;
  ASSERT_OK(run(spec, report));
  EXPECT_EQ(report.frames, 4);
  RunOptions o;
  o.max_frames = 2;
  ASSERT_OK(run(spec, report, o));
  EXPECT_EQ(report.frames, 2);
  o.max_frames = 0;
  ASSERT_OK(run(spec, report, o));
  EXPECT_EQ(report.frames, 0);
}

TEST_F(Executor, StopFlagEndsTheRunCleanly) {
  const auto spec = load(R"(
source: {type: generate, stage: counter, params: {count: 0, delay_ms: 5}}
stages: [{stage: grid, params: {count: 1000}}]
sinks: [{type: jsonl, path: stop.jsonl}]
)");
  std::atomic<bool> stop{false};
  RunOptions o;
  o.stop_flag = &stop;
  RunReport report;
  Status st;
  std::thread t([&] { st = run(spec, report, o); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop = true;
  t.join();
  EXPECT_STATUS(st, cancelled);
  EXPECT_GT(report.source.frames, 0);
  // The grid's partial sheet still came out (finish runs after a stop) and the file is complete.
  const auto lines = read_jsonl(out("stop.jsonl"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["source"], "grid_000000");
}

TEST_F(Executor, SetupFailuresNameTheCulprit) {
  // inpaint_classic's schema accepts any key_color text; configure() refuses "1,2".
  const auto spec = load(R"(
source: {type: generate, stage: counter}
stages:
  - {stage: inpaint_classic, name: fill, params: {key_color: "1,2"}}
sinks: [{type: jsonl, path: never.jsonl}]
)");
  RunReport report;
  const Status st = run(spec, report);
  EXPECT_STATUS(st, invalid_argument);
  EXPECT_NE(st.message().find("stage 'fill' (inpaint_classic) ("), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("test.yaml:4:5): configure"), std::string::npos) << st.message();
  EXPECT_FALSE(fs::exists(out("never.jsonl")));

  PipelineSpec bad_sink = load(R"(
source: {type: generate, stage: counter}
sinks: [{type: images, path: blocked/out}]
)");
  { std::ofstream(out("blocked")) << "a file, not a folder"; }
  const Status sink = run(bad_sink, report);
  EXPECT_FALSE(sink.ok());
  EXPECT_NE(sink.message().find("sink 0 (images)"), std::string::npos) << sink.message();

  PipelineSpec no_source;
  EXPECT_STATUS(run(no_source, report), invalid_argument);
}

TEST_F(Executor, ImagesWithACorruptFile) {
  fs::create_directories(out("in"));
  cv::imwrite(out("in/a.png").string(), color_image(8, 8));
  write_corrupt_image(out("in/b.png"));
  cv::imwrite(out("in/c.png").string(), color_image(8, 8));
  for (const char* mode : {"skip", "stop"}) {
    SCOPED_TRACE(mode);
    fs::remove_all(out("o"));
    const auto spec = load(std::string(R"(
source: {type: images, path: in}
stages: [{stage: median_blur, params: {ksize: 3}}]
sinks: [{type: images, path: o}]
runtime: {on_error: )") + mode + "}");
    RunReport report;
    const Status st = run(spec, report);
    EXPECT_EQ(report.source_errors, 1);
    if (std::string(mode) == "skip") {
      EXPECT_OK(st);
      EXPECT_EQ(list_files(out("o")), (std::vector<std::string>{"a.png", "c.png"}));
    } else {
      EXPECT_STATUS(st, io_error);
      EXPECT_NE(st.message().find("b.png"), std::string::npos) << st.message();
      EXPECT_EQ(list_files(out("o")), std::vector<std::string>{"a.png"});
    }
  }
}

TEST_F(Executor, MetricsAndTraceFiles) {
  const auto spec = load(R"(
source: {type: generate, stage: counter, params: {count: 5}}
stages: [{stage: color, name: gray, params: {to: gray}}, {stage: fail_on, params: {seqs: "3"}}]
sinks: [{type: null}, {type: null}]
)");
  RunOptions o;
  o.metrics_file = out("m/metrics.json").string();
  o.trace_file = out("trace.json").string();
  RunReport report;
  ASSERT_OK(run(spec, report, o));
  const auto m = nlohmann::json::parse(read_text(out("m/metrics.json")));
  EXPECT_EQ(m["frames"], 4);
  EXPECT_EQ(m["errors"], 1);
  EXPECT_GT(m["seconds"].get<double>(), 0.0);
  EXPECT_TRUE(m["fps"].is_number());
  ASSERT_EQ(m["stages"].size(), 2u);
  EXPECT_EQ(m["stages"][0]["name"], "gray");
  EXPECT_EQ(m["stages"][0]["frames"], 5);
  EXPECT_EQ(m["stages"][1]["errors"], 1);
  for (const char* key : {"ms_p50", "ms_p95", "dropped", "errors", "frames", "name"})
    EXPECT_TRUE(m["stages"][0].contains(key)) << key;
  EXPECT_EQ(m["sinks"][1]["name"], "null#2");
  EXPECT_EQ(m["source"]["name"], "generate:counter");
  const auto t = nlohmann::json::parse(read_text(out("trace.json")));
  ASSERT_TRUE(t["traceEvents"].is_array());
  int gray_events = 0;
  for (const auto& e : t["traceEvents"]) gray_events += e["name"] == "gray";
  EXPECT_EQ(gray_events, 5);
}

}  // namespace
}  // namespace cvpipe::test
