// `cvpipe run` end to end on real files: configs/blur.yaml over a folder and over a video,
// corrupt images (skip / stop), a truncated video, jsonl / metrics / null outputs, --max-frames,
// generate sources and the imgproc grid, and configs/*.yaml validation.
#include <csignal>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "e2e_common.hpp"
#include "cvpipe/testing/images.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

const std::string kBlur = (source_dir() / "configs/blur.yaml").string();

std::vector<nlohmann::json> jsonl_lines(const fs::path& file) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

// A folder of real photos (small ones, copied) and, optionally, a corrupt file among them.
fs::path photo_folder(const TempDir& dir, bool with_corrupt) {
  const fs::path in = dir / "in";
  fs::create_directories(in);
  fs::copy_file(data_dir() / "fruits.jpg", in / "a_fruits.jpg");
  fs::copy_file(data_dir() / "baboon.jpg", in / "c_baboon.jpg");
  fs::copy_file(data_dir() / "home.jpg", in / "d_home.jpg");
  if (with_corrupt) write_corrupt_image(in / "b_broken.jpg");
  return in;
}

TEST(RunBlur, FolderInFolderOut) {
  CVPIPE_SAMPLE_OR_SKIP(fruits, "fruits.jpg");
  TempDir dir;
  photo_folder(dir, false);
  const auto r = cvpipe({"run", kBlur, "--input", "in", "--output", "out"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(list_files(dir / "out"), (std::vector<std::string>{"a_fruits.png", "c_baboon.png", "d_home.png"}))
      << "one file per image, named after it, and no temporary files left";
  const cv::Mat in = cv::imread(fruits.string()), out = cv::imread((dir / "out/a_fruits.png").string());
  ASSERT_EQ(out.size(), in.size());
  EXPECT_LT(sharpness(out), 0.8 * sharpness(in)) << "the output is blurred";
  EXPECT_NE(r.err.find("3 frames"), std::string::npos) << "summary on stderr:\n" << r.err;
}

TEST(RunBlur, VideoInPlayableMp4Out) {
  CVPIPE_SAMPLE_OR_SKIP(vtest, "vtest.avi");
  TempDir dir;
  const auto r = cvpipe({"run", kBlur, "--input", vtest.string(), "--output", "blurred.mp4", "--max-frames", "20", "--quiet"},
                        dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(list_files(dir.path()), std::vector<std::string>{"blurred.mp4"});
  EXPECT_EQ(count_video_frames(dir / "blurred.mp4"), 20);
  cv::VideoCapture cap((dir / "blurred.mp4").string());
  EXPECT_EQ(cap.get(cv::CAP_PROP_FRAME_WIDTH), 768);
  EXPECT_EQ(cap.get(cv::CAP_PROP_FRAME_HEIGHT), 576);
  EXPECT_NEAR(cap.get(cv::CAP_PROP_FPS), 10.0, 0.01) << "the source's frame rate";
  EXPECT_TRUE(r.err.empty() || r.err.find("summary") == std::string::npos);
}

TEST(RunBlur, VideoFramesIntoAnImageFolder) {
  CVPIPE_SAMPLE_OR_SKIP(vtest, "vtest.avi");
  TempDir dir;
  const auto r = cvpipe({"run", kBlur, "--input", vtest.string(), "--output", "frames", "--max-frames", "3", "-q"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(list_files(dir / "frames"), (std::vector<std::string>{"vtest_000000.png", "vtest_000001.png", "vtest_000002.png"}));
}

TEST(RunBlur, CorruptImageSkippedOthersWrittenExitOne) {
  CVPIPE_SAMPLE_OR_SKIP(fruits, "fruits.jpg");
  TempDir dir;
  photo_folder(dir, true);
  const auto r = cvpipe({"run", kBlur, "--input", "in", "--output", "out"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_EQ(list_files(dir / "out"), (std::vector<std::string>{"a_fruits.png", "c_baboon.png", "d_home.png"}));
  EXPECT_NE(r.err.find("b_broken.jpg"), std::string::npos) << "the message names the file:\n" << r.err;
}

TEST(RunBlur, CorruptImageWithStopEndsRightAway) {
  CVPIPE_SAMPLE_OR_SKIP(fruits, "fruits.jpg");
  TempDir dir;
  photo_folder(dir, true);
  const auto r = cvpipe({"run", kBlur, "--input", "in", "--output", "out", "--set", "runtime.on_error=stop"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_EQ(list_files(dir / "out"), std::vector<std::string>{"a_fruits.png"}) << "nothing after the corrupt file";
  EXPECT_NE(r.err.find("b_broken.jpg"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("error"), std::string::npos) << r.err;
}

TEST(RunBlur, TruncatedVideoEndsWithoutCrashOrHang) {
  CVPIPE_SAMPLE_OR_SKIP(vtest, "vtest.avi");
  TempDir dir;
  write_truncated_copy(vtest, dir / "cut.avi", 0.04);
  ProcessOptions o;
  o.timeout_s = 90;
  const auto r = cvpipe({"run", kBlur, "--input", "cut.avi", "--output", "cut.mp4", "--set", "stages.blur.ksize=3"}, dir.path(), o);
  ASSERT_FALSE(r.timed_out) << r.describe();
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.describe();
  EXPECT_NE(r.err.find("ended early"), std::string::npos) << r.describe();
  if (r.exit_code == 0) {
    const int n = count_video_frames(dir / "cut.mp4");
    EXPECT_GT(n, 0);
    EXPECT_LT(n, 795);
  }
  // A stub of the file (only its first bytes) cannot be opened at all: exit 1 with a message.
  write_truncated_copy(vtest, dir / "stub.avi", 0.0002);
  const auto stub = cvpipe({"run", kBlur, "--input", "stub.avi", "--output", "stub.mp4"}, dir.path(), o);
  ASSERT_FALSE(stub.timed_out) << stub.describe();
  EXPECT_EQ(stub.exit_code, 1) << stub.describe();
  EXPECT_NE(stub.err.find("stub.avi"), std::string::npos) << stub.describe();
  EXPECT_FALSE(fs::exists(dir / "stub.mp4"));
}

TEST(RunBlur, JsonlOutputFormat) {
  CVPIPE_SAMPLE_OR_SKIP(fruits, "fruits.jpg");
  TempDir dir;
  const auto r = cvpipe({"run", kBlur, "--input", fruits.string(), "--output", "o/frames.jsonl", "-q"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const std::string text = read_text(dir / "o/frames.jsonl");
  EXPECT_EQ(text, R"({"seq":0,"pts_ns":0,"source":"fruits.jpg","width":512,"height":480,"labels":[],"detections":[]})"
                  "\n");
  EXPECT_EQ(list_files(dir / "o"), std::vector<std::string>{"frames.jsonl"});
}

TEST(RunBlur, MetricsFileAndMaxFrames) {
  CVPIPE_SAMPLE_OR_SKIP(fruits, "fruits.jpg");
  TempDir dir;
  photo_folder(dir, false);
  const auto r = cvpipe({"run", kBlur, "--input", "in", "--output", "out", "--max-frames", "2", "--metrics", "m.json", "-q"},
                        dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(list_files(dir / "out").size(), 2u);
  const auto m = nlohmann::json::parse(read_text(dir / "m.json"));
  EXPECT_EQ(m["frames"], 2);
  EXPECT_GT(m["seconds"].get<double>(), 0);
  EXPECT_GT(m["fps"].get<double>(), 0);
  ASSERT_EQ(m["stages"].size(), 1u);
  EXPECT_EQ(m["stages"][0]["name"], "blur");
  EXPECT_EQ(m["stages"][0]["frames"], 2);
  EXPECT_EQ(m["stages"][0]["errors"], 0);
  EXPECT_GT(m["stages"][0]["ms_p50"].get<double>(), 0);
  EXPECT_GE(m["stages"][0]["ms_p95"].get<double>(), m["stages"][0]["ms_p50"].get<double>());
}

TEST(RunConfig, NullSinkAndGenerateSource) {
  TempDir dir;
  write_file(dir / "p.yaml", R"(
source: {type: generate, stage: counter, params: {count: 5, width: 40, height: 30}}
stages:
  - {stage: draw}
  - {stage: grid, params: {count: 2, cols: 2, tile_width: 20, tile_height: 15}}
sinks:
  - {type: images, path: sheets}
  - {type: null}
)");
  const auto r = cvpipe({"run", "p.yaml", "--plugin-path", E2E_PLUGIN_DIR, "--metrics", "m.json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(list_files(dir / "sheets"), (std::vector<std::string>{"grid_000000.png", "grid_000001.png", "grid_000002.png"}));
  const auto m = nlohmann::json::parse(read_text(dir / "m.json"));
  EXPECT_EQ(m["frames"], 3);
  EXPECT_EQ(m["sinks"][1]["name"], "null");
  EXPECT_EQ(m["sinks"][1]["frames"], 3);
  EXPECT_EQ(list_files(dir.path()), (std::vector<std::string>{"m.json", "p.yaml"})) << "the null sink writes nothing";
}

TEST(RunConfig, StageFailureSkipVersusStop) {
  TempDir dir;
  write_file(dir / "p.yaml", R"(
source: {type: generate, stage: counter, params: {count: 6}}
stages:
  - {stage: fail_on, name: flaky, params: {seqs: "1,4"}}
sinks:
  - {type: jsonl, path: out.jsonl}
)");
  const auto skip = cvpipe({"run", "p.yaml", "--plugin-path", E2E_PLUGIN_DIR}, dir.path());
  EXPECT_EQ(skip.exit_code, 1) << skip.describe();
  EXPECT_EQ(jsonl_lines(dir / "out.jsonl").size(), 4u);
  EXPECT_NE(skip.err.find("stage 'flaky'"), std::string::npos) << skip.err;
  EXPECT_NE(skip.err.find("p.yaml:4:5"), std::string::npos) << "the config location:\n" << skip.err;
  const auto stop = cvpipe({"run", "p.yaml", "--plugin-path", E2E_PLUGIN_DIR, "--set", "runtime.on_error=stop"}, dir.path());
  EXPECT_EQ(stop.exit_code, 1) << stop.describe();
  EXPECT_EQ(jsonl_lines(dir / "out.jsonl").size(), 1u);
}

TEST(RunConfig, ACrashInsideAStageNamesTheStageAndFrame) {
  TempDir dir;
  write_file(dir / "p.yaml", R"(
source: {type: generate, stage: counter, params: {count: 6}}
stages:
  - {stage: fail_on, name: crashy, params: {seqs: "3", crash: true}}
sinks:
  - {type: jsonl, path: out.jsonl}
)");
  for (const char* executor : {"sequential", "streaming"}) {
    const auto r = cvpipe({"run", "p.yaml", "--plugin-path", E2E_PLUGIN_DIR, "--set", std::string("runtime.executor=") + executor},
                          dir.path());
    EXPECT_EQ(r.exit_code, 128 + SIGSEGV) << executor << ": " << r.describe();
    EXPECT_NE(r.err.find("cvpipe: fatal: SIGSEGV"), std::string::npos) << executor << ": " << r.err;
    EXPECT_NE(r.err.find("stage 'crashy' (fail_on)"), std::string::npos) << executor << ": " << r.err;
    EXPECT_NE(r.err.find("process() of frame 3 (count_3)"), std::string::npos) << executor << ": " << r.err;
    EXPECT_NE(r.err.find("libcvpipe_e2etest.so"), std::string::npos) << "the plugin file: " << r.err;
  }
}

TEST(RunConfig, AnIsolatedStageThatCrashesCostsOneFrame) {
  TempDir dir;
  // `isolate: process` on the stage item, and for every stage through runtime.isolate.
  write_file(dir / "stage.yaml", R"(
source: {type: generate, stage: counter, params: {count: 6}}
stages:
  - {stage: fail_on, name: crashy, isolate: process, params: {seqs: "1,3", crash: true}}
  - {stage: fail_on, name: tag, params: {seqs: ""}}
sinks:
  - {type: jsonl, path: out.jsonl}
)");
  // (A plugin's source stage is also a source type: {type: counter} = {type: generate, stage: counter}.)
  write_file(dir / "runtime.yaml", R"(
source: {type: counter, params: {count: 6}}
stages:
  - {stage: fail_on, name: crashy, params: {seqs: "1,3", crash: true}}
sinks:
  - {type: jsonl, path: out.jsonl}
runtime: {isolate: process}
)");
  for (const char* config : {"stage.yaml", "runtime.yaml"}) {
    for (const char* executor : {"sequential", "streaming"}) {
      const auto r = cvpipe({"run", config, "--plugin-path", E2E_PLUGIN_DIR, "--set", std::string("runtime.executor=") + executor},
                            dir.path());
      const std::string what = std::string(config) + " " + executor + ": ";
      EXPECT_EQ(r.exit_code, 1) << what << "the run goes on and ends with the frame errors: " << r.describe();
      EXPECT_NE(r.err.find("isolated process died with SIGSEGV during process()"), std::string::npos) << what << r.err;
      EXPECT_NE(r.err.find("stage 'crashy' (fail_on)"), std::string::npos) << what << r.err;
      EXPECT_NE(r.err.find("frame 3 (count_3)"), std::string::npos) << what << r.err;
      const auto lines = jsonl_lines(dir / "out.jsonl");
      EXPECT_EQ(lines.size(), 4u) << what << "frames 0, 2, 4, 5 come out";
    }
  }
  write_file(dir / "bad.yaml", R"(
source: {type: generate, stage: counter, params: {count: 2}}
stages:
  - {stage: fail_on, isolate: thread}
sinks:
  - {type: null}
)");
  const auto bad = cvpipe({"validate", "bad.yaml", "--plugin-path", E2E_PLUGIN_DIR}, dir.path());
  EXPECT_EQ(bad.exit_code, 2) << bad.describe();
  EXPECT_NE(bad.err.find("'isolate' must be process or none"), std::string::npos) << bad.err;
}

TEST(RunConfig, StagesLogThroughTheHostAtTheChosenLevel) {
  TempDir dir;
  write_file(dir / "p.yaml", R"(
source: {type: counter, params: {count: 2}}
stages:
  - {stage: fail_on, name: quietly, params: {seqs: "7"}}
  - {stage: fail_on, name: apart, isolate: process, params: {seqs: "8"}}
sinks:
  - {type: null}
)");
  const auto plain = cvpipe({"run", "p.yaml", "--plugin-path", E2E_PLUGIN_DIR, "-q"}, dir.path());
  EXPECT_EQ(plain.exit_code, 0) << plain.describe();
  EXPECT_EQ(plain.err.find("fails frames"), std::string::npos) << "info lines are off by default: " << plain.err;
  const auto info = cvpipe({"run", "p.yaml", "--plugin-path", E2E_PLUGIN_DIR, "-q", "--log-level", "info"}, dir.path());
  EXPECT_EQ(info.exit_code, 0) << info.describe();
  EXPECT_NE(info.err.find("cvpipe: info: stage 'quietly': fails frames '7'"), std::string::npos) << info.err;
  EXPECT_NE(info.err.find("cvpipe: info: stage 'apart': fails frames '8'"), std::string::npos)
      << "an isolated stage logs at the host's level: " << info.err;
  const auto bad = cvpipe({"run", "p.yaml", "--plugin-path", E2E_PLUGIN_DIR, "--log-level", "loud"}, dir.path());
  EXPECT_EQ(bad.exit_code, 2) << bad.describe();
}

TEST(RunConfig, ShowWithoutADisplayWarnsAndRuns) {
  CVPIPE_SAMPLE_OR_SKIP(fruits, "fruits.jpg");
  TempDir dir;
  ProcessOptions o;
  o.env = {{"DISPLAY", ""}, {"WAYLAND_DISPLAY", ""}, {"QT_QPA_PLATFORM", ""}};
  const auto r = cvpipe({"run", kBlur, "--input", fruits.string(), "--output", "o", "--show", "-q"}, dir.path(), o);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.err.find("display"), std::string::npos) << r.describe();
  EXPECT_EQ(list_files(dir / "o"), std::vector<std::string>{"fruits.png"});
}

TEST(RunConfig, ShowOnAnOffscreenDisplay) {
  CVPIPE_SAMPLE_OR_SKIP(fruits, "fruits.jpg");
  if (!fs::exists("/usr/lib/x86_64-linux-gnu/qt5/plugins/platforms/libqoffscreen.so"))
    GTEST_SKIP() << "Qt's offscreen platform plugin is not installed";
  TempDir dir;
  ProcessOptions o;
  o.env = {{"DISPLAY", ""}, {"WAYLAND_DISPLAY", ""}, {"QT_QPA_PLATFORM", "offscreen"}, {"XDG_RUNTIME_DIR", dir.path().string()}};
  const auto r = cvpipe({"run", kBlur, "--input", fruits.string(), "--output", "o", "--show", "--metrics", "m.json", "-q"},
                        dir.path(), o);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto m = nlohmann::json::parse(read_text(dir / "m.json"));
  ASSERT_EQ(m["sinks"].size(), 2u);
  EXPECT_EQ(m["sinks"][1]["name"], "window");
  EXPECT_EQ(m["sinks"][1]["frames"], 1);
  EXPECT_EQ(r.err.find("not shown"), std::string::npos) << "the window opened:\n" << r.err;
}

// Precedence: the config < --input / --output < --set, whatever the order on the command line.
// --input and --output set the paths and keep the config's other source and sink options.
TEST(RunInputOutput, KeepTheConfigsOptionsAndSetComesLast) {
  TempDir dir;
  fs::create_directories(dir / "photos");
  cv::imwrite((dir / "photos/keep_a.png").string(), gray_image(40, 30));
  cv::imwrite((dir / "photos/skip_b.png").string(), gray_image(40, 30));
  write_file(dir / "cfg/pipeline.yaml",
             "source: {type: images, path: placeholder.png, read: color, include: 'keep*'}\n"
             "stages: [{stage: gaussian_blur, params: {ksize: 3}}]\n"
             "sinks: [{type: images, path: config_out, ext: bmp}]\n");
  cv::imwrite((dir / "cfg/placeholder.png").string(), gray_image(8, 8));
  auto channels = [&](const std::string& file) { return cv::imread((dir / file).string(), cv::IMREAD_UNCHANGED).channels(); };

  auto r = cvpipe({"run", "cfg/pipeline.yaml", "--input", "photos", "--output", "out1", "-q"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(list_files(dir / "out1"), (std::vector<std::string>{"keep_a.bmp", "skip_b.bmp"}))
      << "ext kept; include went with the config's path";
  EXPECT_EQ(channels("out1/keep_a.bmp"), 3) << "read: color kept";

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--set", "source.read=gray", "--input", "photos", "--output", "out2"},
           {"--input", "photos", "--set", "source.read=gray", "--output", "out2"},
           {"--set", "source.include=keep*", "--set", "sinks.0.ext=png", "--output", "out2", "--input", "photos", "--set",
            "source.read=gray"}}) {
    fs::remove_all(dir / "out2");
    std::vector<std::string> argv = {"run", "cfg/pipeline.yaml", "-q"};
    argv.insert(argv.end(), args.begin(), args.end());
    r = cvpipe(argv, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const auto files = list_files(dir / "out2");
    ASSERT_FALSE(files.empty()) << r.describe();
    EXPECT_EQ(channels("out2/" + files.front()), 1) << "--set source.read=gray wins: " << r.describe();
  }
  EXPECT_EQ(list_files(dir / "out2"), std::vector<std::string>{"keep_a.png"});

  // Without a read option the images source keeps a gray file gray.
  r = cvpipe({"run", kBlur, "--input", "photos/keep_a.png", "--output", "out3", "-q"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(channels("out3/keep_a.png"), 1);

  r = cvpipe({"run", "cfg/pipeline.yaml", "--input", "nowhere", "-q"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("--input nowhere: "), std::string::npos) << r.err;
}

TEST(Configs, ShippedConfigsValidate) {
  for (const char* name : {"blur.yaml", "demo.yaml"}) {
    const auto r = cvpipe({"validate", (source_dir() / "configs" / name).string()}, source_dir());
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.describe();
  }
}

}  // namespace
}  // namespace cvpipe::test
