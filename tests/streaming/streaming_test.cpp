// The streaming executor in process, on configs loaded the real way: frames keep their order
// through jittery stages, a stage that throws on one frame (skip vs stop), live sources drop
// (oldest / newest) and count while files never drop, timestamps that go backwards are repaired
// and counted, partial batches after the timeout on live sources, the thread budget, the
// metrics (queue depths, end-to-end latency, trace thread names), and which thread runs what:
// cheap neighbours end up on one thread, costly stages keep their own, a live reader stays alone.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "config.hpp"
#include "executor.hpp"
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

class Streaming : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new PluginRegistry();
    ASSERT_OK(registry_->load_file(fs::path(STREAMTEST_PLUGIN_DIR) / "libcvpipe_streamtest.so"));
    ASSERT_OK(registry_->load_file(fs::path(E2E_PLUGIN_DIR) / "libcvpipe_e2etest.so"));
  }
  static void TearDownTestSuite() {
    delete registry_;
    registry_ = nullptr;
  }

  PipelineSpec load(const std::string& yaml) {
    PipelineSpec spec;
    EXPECT_OK(load_config_text(yaml, (dir_ / "test.yaml").string(), dir_.path(), *registry_, ConfigOptions{}, spec));
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

PluginRegistry* Streaming::registry_ = nullptr;

TEST_F(Streaming, OrderIsPreservedThroughJitteryStages) {
  const auto spec = load(R"(
source: {type: generate, stage: ticker, params: {count: 120}}
stages:
  - {stage: slow, name: a, params: {ms: 0, jitter_ms: 3}}
  - {stage: slow, name: b, params: {ms: 0, jitter_ms: 3}}
  - {stage: batcher, params: {batch: 4}}
  - {stage: slow, name: c, params: {ms: 0, jitter_ms: 2}}
sinks: [{type: jsonl, path: o.jsonl, meta: true}]
runtime: {queue: 3}
)");
  RunReport report;
  RunOptions o;
  o.threads = 2;
  ASSERT_OK(run(spec, report, o));
  EXPECT_EQ(report.executor, "streaming");
  EXPECT_EQ(report.errors, 0) << "no stage saw two threads at once or seq going backwards";
  const auto lines = read_jsonl(out("o.jsonl"));
  ASSERT_EQ(lines.size(), 120u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["seq"], i);
    EXPECT_EQ(lines[i]["source"], "tick_" + std::to_string(i));
  }
  EXPECT_EQ(lines[0]["meta"]["batch_size"], 4) << "files (non-live) wait for full batches";
  for (const auto& s : report.stages) {
    EXPECT_LE(s.queue_max, 3) << s.name << ": the queue is bounded";
    EXPECT_EQ(s.frames, 120) << s.name;
  }
  EXPECT_GT(report.latency_ms_p50, 0.0);
  EXPECT_LE(report.latency_ms_p50, report.latency_ms_p95);
}

TEST_F(Streaming, AStageThatThrowsOnOneFrameSkipOrStop) {
  for (const char* mode : {"skip", "stop"}) {
    SCOPED_TRACE(mode);
    const auto spec = load(std::string(R"(
source: {type: generate, stage: ticker, params: {count: 30}}
stages:
  - {stage: slow, name: before, params: {ms: 1}}
  - {stage: fail_on, name: picky, params: {seqs: "7", throw: true}}
  - {stage: slow, name: after, params: {ms: 2}}
sinks: [{type: jsonl, path: )") + mode + R"(.jsonl}]
runtime: {on_error: )" + mode + "}");
    RunReport report;
    const Status st = run(spec, report);
    const auto lines = read_jsonl(out(std::string(mode) + ".jsonl"));
    EXPECT_EQ(report.errors, 1);
    EXPECT_EQ(report.stages[1].errors, 1);
    if (std::string(mode) == "skip") {
      EXPECT_OK(st);
      ASSERT_EQ(lines.size(), 29u);
      EXPECT_EQ(lines[6]["seq"], 6);
      EXPECT_EQ(lines[7]["seq"], 8) << "only the failed frame is missing";
    } else {
      EXPECT_STATUS(st, runtime_error);
      EXPECT_NE(st.message().find("stage 'picky' (fail_on)"), std::string::npos) << st.message();
      EXPECT_NE(st.message().find("frame 7 (tick_7)"), std::string::npos) << st.message();
      EXPECT_NE(st.message().find("threw"), std::string::npos) << st.message();
      EXPECT_EQ(report.frames, 7) << "the frames ahead of the failed one reach the sinks, none after it";
      ASSERT_EQ(lines.size(), 7u) << "the jsonl file is complete";
      EXPECT_EQ(lines.back()["seq"], 6);
    }
  }
}

TEST_F(Streaming, LiveSourcesDropAndCountFilesNeverDrop) {
  for (const char* drop : {"oldest", "newest", "auto"}) {
    SCOPED_TRACE(drop);
    // 60 frames every 2 ms into a 10 ms stage: the stage keeps up with about one in five.
    const auto spec = load(std::string(R"(
source: {type: generate, stage: ticker, params: {count: 60, interval_ms: 2, live: true}}
stages: [{stage: slow, params: {ms: 10}}]
sinks: [{type: jsonl, path: live.jsonl}]
runtime: {queue: 2, drop: )") + drop + "}");
    RunReport report;
    ASSERT_OK(run(spec, report));
    const auto lines = read_jsonl(out("live.jsonl"));
    EXPECT_GT(report.dropped, 10);
    EXPECT_EQ(report.source.dropped, report.dropped);
    EXPECT_EQ(report.frames + report.dropped, 60) << "every frame is either written or counted as dropped";
    EXPECT_EQ(static_cast<int64_t>(lines.size()), report.frames);
    for (size_t i = 1; i < lines.size(); ++i) EXPECT_GT(lines[i]["seq"], lines[i - 1]["seq"]);
    if (std::string(drop) != "newest") EXPECT_EQ(lines.back()["seq"], 59) << "dropping the oldest keeps the latest frame";
    else EXPECT_EQ(lines[0]["seq"], 0);
    EXPECT_LE(report.stages[0].queue_max, 2);
  }
  const auto file = load(R"(
source: {type: generate, stage: ticker, params: {count: 40, interval_ms: 1}}
stages: [{stage: slow, params: {ms: 5}}]
sinks: [{type: jsonl, path: file.jsonl}]
runtime: {queue: 2, drop: oldest}
)");
  RunReport report;
  ASSERT_OK(run(file, report));
  EXPECT_EQ(report.dropped, 0) << "a source that is not live blocks instead of dropping";
  EXPECT_EQ(read_jsonl(out("file.jsonl")).size(), 40u);

  const auto blocking = load(R"(
source: {type: generate, stage: ticker, params: {count: 30, interval_ms: 1, live: true}}
stages: [{stage: slow, params: {ms: 3}}]
sinks: [{type: null}]
runtime: {queue: 2, drop: none}
)");
  ASSERT_OK(run(blocking, report));
  EXPECT_EQ(report.dropped, 0);
  EXPECT_EQ(report.frames, 30);
}

TEST_F(Streaming, TimestampsThatGoBackwardsAreRepairedAndCounted) {
  const auto spec = load(R"(
source: {type: generate, stage: ticker, params: {count: 8, pts_ms: "0,40,80,20,120,100,160,160"}}
sinks: [{type: jsonl, path: t.jsonl}]
)");
  RunReport report;
  ASSERT_OK(run(spec, report));
  EXPECT_EQ(report.timestamps_repaired, 2) << "equal timestamps (stills) are left alone";
  EXPECT_EQ(report.errors, 0) << "never fatal";
  const auto lines = read_jsonl(out("t.jsonl"));
  ASSERT_EQ(lines.size(), 8u);
  const std::vector<int64_t> expected = {0, 40000000, 80000000, 80000001, 120000000, 120000001, 160000000, 160000000};
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i]["pts_ns"].get<int64_t>(), expected[i]) << i;
  const auto m = nlohmann::json::parse(report.to_json());
  EXPECT_EQ(m["timestamps_repaired"], 2);
}

TEST_F(Streaming, LiveBatchesDoNotWaitPastTheTimeout) {
  const auto spec = load(R"(
source: {type: generate, stage: ticker, params: {count: 6, interval_ms: 60, live: true}}
stages: [{stage: batcher, params: {batch: 4}}]
sinks: [{type: jsonl, path: b.jsonl, meta: true}]
runtime: {batch_timeout_ms: 5}
)");
  RunReport report;
  ASSERT_OK(run(spec, report));
  const auto lines = read_jsonl(out("b.jsonl"));
  ASSERT_EQ(lines.size(), 6u);
  int alone = 0;
  for (const auto& l : lines) {
    EXPECT_LT(l["meta"]["batch_size"].get<int>(), 4) << "frames 60 ms apart, 5 ms timeout";
    alone += l["meta"]["batch_size"] == 1;
  }
  EXPECT_GE(alone, 2) << "a frame does not wait for the next one";
}

TEST_F(Streaming, TheThreadBudgetBoundsConcurrentStageCalls) {
  const auto spec = load(R"(
source: {type: generate, stage: ticker, params: {count: 40}}
stages: [{stage: probe, name: p1, params: {ms: 3}}, {stage: probe, name: p2, params: {ms: 3}}]
sinks: [{type: jsonl, path: p.jsonl, meta: true}]
)");
  RunReport report;
  RunOptions o;
  o.threads = 1;
  ASSERT_OK(run(spec, report, o));
  EXPECT_EQ(report.threads, 1);
  const auto lines = read_jsonl(out("p.jsonl"));
  ASSERT_EQ(lines.size(), 40u);
  EXPECT_EQ(lines.back()["meta"]["probe_peak"], 1) << "--threads 1: one stage call at a time";
  o.threads = 2;
  ASSERT_OK(run(spec, report, o));
  EXPECT_EQ(read_jsonl(out("p.jsonl")).back()["meta"]["probe_peak"], 2) << "--threads 2: both stages run at once";
}

TEST_F(Streaming, ANetworkRunsOnTheStageThreadBudgetWithoutTheStageSettingIt) {
  // The stage warms its network up in configure (on the host's thread and budget) and never sets
  // threads: every frame must still run on the executor's per-stage budget.
  const auto spec = load(R"(
source: {type: generate, stage: ticker, params: {count: 6}}
stages: [{stage: nn_budget}]
sinks: [{type: jsonl, path: n.jsonl, meta: true}]
)");
  for (int budget : {1, 3}) {
    RunReport report;
    RunOptions o;
    o.threads = budget;
    ASSERT_OK(run(spec, report, o));
    const auto lines = read_jsonl(out("n.jsonl"));
    ASSERT_EQ(lines.size(), 6u);
    for (const auto& line : lines) EXPECT_EQ(line["meta"]["nn_threads"], budget) << "--threads " << budget;
  }
}

TEST_F(Streaming, CheapStagesShareAThreadWithTheReaderCostlyOnesKeepTheirs) {
  // Cheap stages on a file: the hand-offs cost more than they gain, so after the warm-up on one
  // thread the reader, both stages and the sinks stay on it; every frame arrives, in order.
  auto spec = load(R"(
source: {type: generate, stage: ticker, params: {count: 400, tag_thread: true}}
stages: [{stage: thread_tag, name: a}, {stage: thread_tag, name: b}]
sinks: [{type: jsonl, path: cheap.jsonl, meta: true}]
)");
  RunReport report;
  RunOptions o;
  o.threads = 2;
  ASSERT_OK(run(spec, report, o));
  auto lines = read_jsonl(out("cheap.jsonl"));
  ASSERT_EQ(lines.size(), 400u);
  for (size_t i = 0; i < lines.size(); ++i) ASSERT_EQ(lines[i]["seq"], i);
  for (const auto& l : lines) {
    ASSERT_EQ(l["meta"]["thread_a"], l["meta"]["thread_source"]) << l["seq"];
    ASSERT_EQ(l["meta"]["thread_b"], l["meta"]["thread_source"]) << l["seq"];
  }

  // Costly stages (2 ms each) keep a thread each: they run at the same time on different frames.
  spec = load(R"(
source: {type: generate, stage: ticker, params: {count: 80, tag_thread: true}}
stages:
  - {stage: slow, name: s1, params: {ms: 2}}
  - {stage: thread_tag, name: a}
  - {stage: slow, name: s2, params: {ms: 2}}
  - {stage: thread_tag, name: b}
sinks: [{type: jsonl, path: costly.jsonl, meta: true}]
)");
  ASSERT_OK(run(spec, report, o));
  lines = read_jsonl(out("costly.jsonl"));
  ASSERT_EQ(lines.size(), 80u);
  EXPECT_EQ(report.errors, 0) << "no stage called from two threads at once or out of order";
  EXPECT_NE(lines.back()["meta"]["thread_a"], lines.back()["meta"]["thread_b"]);

  // A live source's reader is never taken over: frames are dropped at its queue, not in the device.
  spec = load(R"(
source: {type: generate, stage: ticker, params: {count: 150, interval_ms: 1, live: true, tag_thread: true}}
stages: [{stage: thread_tag, name: a}]
sinks: [{type: jsonl, path: live.jsonl, meta: true}]
)");
  ASSERT_OK(run(spec, report, o));
  lines = read_jsonl(out("live.jsonl"));
  ASSERT_FALSE(lines.empty());
  for (const auto& l : lines) ASSERT_NE(l["meta"]["thread_a"], l["meta"]["thread_source"]) << l["seq"];
  EXPECT_NE(lines.front()["meta"]["thread_a"], lines.back()["meta"]["thread_a"])
      << "the sink thread (cheap) took stage a over while the run went on";
}

TEST_F(Streaming, MetricsTraceAndTheSequentialExecutor) {
  const std::string yaml = R"(
source: {type: generate, stage: counter, params: {count: 12}}
stages: [{stage: slow, name: s1, params: {ms: 1}}, {stage: batcher, params: {batch: 5}}]
sinks: [{type: jsonl, path: m.jsonl, meta: true}]
)";
  RunOptions o;
  o.metrics_file = out("metrics.json").string();
  o.trace_file = out("trace.json").string();
  RunReport report;
  ASSERT_OK(run(load(yaml), report, o));
  const auto m = nlohmann::json::parse(read_text(out("metrics.json")));
  EXPECT_EQ(m["executor"], "streaming");
  EXPECT_EQ(m["frames"], 12);
  for (const char* key : {"latency_ms_p50", "latency_ms_p95", "dropped", "timestamps_repaired", "source_retries", "threads"})
    EXPECT_TRUE(m.contains(key)) << key;
  for (const char* key : {"queue_mean", "queue_max"}) EXPECT_TRUE(m["stages"][0].contains(key)) << key;
  const auto t = nlohmann::json::parse(read_text(out("trace.json")));
  int s1_calls = 0, names = 0;
  for (const auto& e : t["traceEvents"]) {
    s1_calls += e["name"] == "s1";
    names += e["ph"] == "M";
  }
  EXPECT_EQ(s1_calls, 12);
  EXPECT_EQ(names, 4) << "source, two stages, sinks";
  const auto streamed = read_jsonl(out("m.jsonl"));

  RunReport seq;
  ASSERT_OK(run(load(yaml + "runtime: {executor: sequential}\n"), seq));
  EXPECT_EQ(seq.executor, "sequential");
  const auto sequential = read_jsonl(out("m.jsonl"));
  EXPECT_EQ(sequential, streamed) << "both executors write the same frames";
}

}  // namespace
}  // namespace cvpipe::test
