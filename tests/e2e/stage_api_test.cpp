// The stage API through `cvpipe run` / `validate` / `plugins show`: stages that emit 0..N frames
// per input (both executors, and isolated), plugin sinks, rules across parameters reported in
// validate with their place, and declared input contracts held at open and on every frame.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "cvpipe/testing/images.hpp"
#include "e2e_common.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> text_lines(const fs::path& file) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(StageApi, AStageEmitsSeveralFramesPerInputInEachExecutorAndIsolated) {
  for (const std::string variant : {"streaming", "sequential", "isolated"}) {
    TempDir dir;
    write_file(dir / "p.yaml", R"(
source: {type: counter, params: {count: 3}}
stages:
  - {stage: repeat, params: {times: 2}}
  - {stage: window, params: {low: 0, high: 1}}
sinks:
  - {type: seq_log, params: {path: seqs.txt}}
  - {type: jsonl, path: frames.jsonl, meta: true}
runtime: {executor: )" + std::string(variant == "sequential" ? "sequential" : "streaming") +
                                   (variant == "isolated" ? ", isolate: process" : "") + "}\n");
    const auto r = cvpipe({"run", "p.yaml", "--plugin-path", E2E_PLUGIN_DIR, "-q"}, dir.path());
    ASSERT_EQ(r.exit_code, 0) << variant << ": " << r.describe();
    EXPECT_EQ(text_lines(dir / "seqs.txt"),
              (std::vector<std::string>{"0 count_0 32x24", "0 count_0 32x24", "1 count_1 32x24", "1 count_1 32x24"}))
        << variant << ": two copies of each frame, in order; the window after the copies keeps seq 0 and 1";
    std::ifstream jsonl(dir / "frames.jsonl");
    std::vector<int64_t> copies;
    for (std::string line; std::getline(jsonl, line);) copies.push_back(nlohmann::json::parse(line)["meta"]["copy"]);
    EXPECT_EQ(copies, (std::vector<int64_t>{0, 1, 0, 1})) << variant << ": every sink sees every emitted frame";
  }
}

TEST(StageApi, AGridOverAStreamEmitsEachSheetWhenItIsFull) {
  TempDir dir;
  write_file(dir / "p.yaml", R"(
source: {type: counter, params: {count: 5, delay_ms: 20}}
stages:
  - {stage: grid, params: {count: 2, cols: 2, tile_width: 16, tile_height: 16, passthrough: true}}
sinks:
  - {type: seq_log, params: {path: seqs.txt}}
)");
  const auto r = cvpipe({"run", "p.yaml", "--plugin-path", E2E_PLUGIN_DIR, "-q"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto lines = text_lines(dir / "seqs.txt");
  ASSERT_EQ(lines.size(), 8u) << "five frames and three sheets";
  EXPECT_EQ(lines[2].rfind("1 grid_000000 ", 0), 0u) << "the first sheet follows the frame that completed it: " << lines[2];
  EXPECT_EQ(lines[5].rfind("3 grid_000001 ", 0), 0u) << lines[5];
  EXPECT_EQ(lines[7].rfind("4 grid_000002 ", 0), 0u) << "the rest at the end: " << lines[7];
}

TEST(StageApi, RulesAcrossParametersAreReportedWithTheirPlace) {
  TempDir dir;
  write_file(dir / "p.yaml", R"(source: {type: counter}
stages:
  - {stage: window, params: {low: 5, high: 2}}
sinks:
  - {type: null}
)");
  for (const std::string verb : {"validate", "run"}) {
    const auto r = cvpipe({verb, "p.yaml", "--plugin-path", E2E_PLUGIN_DIR}, dir.path());
    EXPECT_EQ(r.exit_code, 2) << verb << ": " << r.describe();
    EXPECT_NE(r.err.find("p.yaml:3:"), std::string::npos) << verb << ": the message names the place: " << r.err;
    EXPECT_NE(r.err.find("'low' (5) is above 'high' (2)"), std::string::npos) << r.err;
  }
  // A shipped stage's rule: resize takes a scale or a size, not both.
  write_file(dir / "q.yaml", "source: {type: counter}\nstages:\n  - {stage: resize, params: {scale: 2, width: 64}}\n");
  const auto q = cvpipe({"validate", "q.yaml", "--plugin-path", E2E_PLUGIN_DIR}, dir.path());
  EXPECT_EQ(q.exit_code, 2) << q.describe();
  EXPECT_NE(q.err.find("q.yaml:3:"), std::string::npos) << q.err;
  EXPECT_NE(q.err.find("not both"), std::string::npos) << q.err;
}

TEST(StageApi, AStreamOutsideTheInputContractIsRefusedWhenTheRunOpens) {
  TempDir dir;
  write_file(dir / "p.yaml", R"(source: {type: counter}
stages:
  - {stage: gray_only}
sinks:
  - {type: seq_log, params: {path: seqs.txt}}
)");
  const auto r = cvpipe({"run", "p.yaml", "--plugin-path", E2E_PLUGIN_DIR}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("stage 'gray_only' (p.yaml:3:5): its input is 8U 3-channel frames, but the stage takes 8U, 1 channel"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir / "seqs.txt"));
}

TEST(StageApi, AFrameOutsideTheInputContractFailsWithoutReachingTheStage) {
  TempDir dir;
  fs::create_directories(dir / "in");
  ASSERT_TRUE(cv::imwrite((dir / "in/a_gray.png").string(), gray_image(20, 10)));
  ASSERT_TRUE(cv::imwrite((dir / "in/b_colour.png").string(), color_image(20, 10)));
  write_file(dir / "p.yaml", "stages:\n  - {stage: gray_only}\n");
  const auto r = cvpipe({"run", "p.yaml", "--plugin-path", E2E_PLUGIN_DIR, "--input", "in", "--output", "out"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << "one failed frame, no crash: " << r.describe();
  EXPECT_NE(r.err.find("frame 1 (b_colour.png): the stage takes 8U, 1 channel; this is a 8U 3-channel image"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(list_files(dir / "out"), std::vector<std::string>{"a_gray.png"});
}

TEST(StageApi, KindsAreUsedInTheirOwnPlace) {
  TempDir dir;
  write_file(dir / "p.yaml", "source: {type: counter}\nstages:\n  - {stage: seq_log}\n");
  const auto r = cvpipe({"validate", "p.yaml", "--plugin-path", E2E_PLUGIN_DIR}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("stage 'seq_log' is a sink stage; use it as a sink: sinks: [{type: seq_log}]"), std::string::npos)
      << r.err;
  write_file(dir / "q.yaml", "source: {type: counter}\nsinks:\n  - {type: seq_log, params: {path: x.txt}, extra: 1}\n");
  const auto q = cvpipe({"validate", "q.yaml", "--plugin-path", E2E_PLUGIN_DIR}, dir.path());
  EXPECT_EQ(q.exit_code, 2) << q.describe();
  EXPECT_NE(q.err.find("extra"), std::string::npos) << q.err;
}

TEST(StageApi, PluginsShowPrintsWhatAStageAcceptsAndEmits) {
  TempDir dir;
  const auto denoise = cvpipe({"plugins", "show", "denoise"}, dir.path());
  ASSERT_EQ(denoise.exit_code, 0) << denoise.describe();
  EXPECT_NE(denoise.out.find("accepts: 8U or 16U, 1, 3 or 4 channels\n"), std::string::npos) << denoise.out;
  EXPECT_NE(denoise.out.find("emits: 8U or 16U, 1, 3 or 4 channels, meta: denoise_sigma\n"), std::string::npos) << denoise.out;
  const auto sink = cvpipe({"plugins", "show", "seq_log", "--plugin-path", E2E_PLUGIN_DIR, "--json"}, dir.path());
  ASSERT_EQ(sink.exit_code, 0) << sink.describe();
  const auto j = nlohmann::json::parse(sink.out);
  EXPECT_EQ(j["kind"], "sink");
  EXPECT_EQ(j["accepts"]["depths"], nlohmann::json::array({"8U"}));
  EXPECT_FALSE(j.contains("emits"));
  const auto text = cvpipe({"plugins", "show", "seq_log", "--plugin-path", E2E_PLUGIN_DIR}, dir.path());
  EXPECT_NE(text.out.find("use: sinks: [{type: seq_log, params: {...}}]"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace cvpipe::test
