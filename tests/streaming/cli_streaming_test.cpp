// The streaming executor through the built `cvpipe` binary: SIGINT in the middle of a video
// leaves a playable video and a complete jsonl file (exit 130); a live GStreamer source that
// cannot be reached is retried with back-off, then reported (exit 1); one that ends is reopened;
// a live source feeding a slow stage drops frames and counts them.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>
#include <opencv2/videoio.hpp>

#include "e2e/e2e_common.hpp"

extern char** environ;

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

size_t line_count(const fs::path& file) {
  std::ifstream in(file);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) n += !line.empty();
  return n;
}

bool gstreamer_available() {
  return fs::exists("/usr/bin/gst-inspect-1.0") &&
         run_process({"/usr/bin/gst-inspect-1.0", "videotestsrc"}, with_timeout(20)).exit_code == 0;
}

bool has_partial_file(const fs::path& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename().string().find(".partial") != std::string::npos) return true;
  return false;
}

TEST(StreamingCli, SigintMidVideoLeavesAPlayableVideo) {
  CVPIPE_SAMPLE_OR_SKIP(video, "vtest.avi");
  TempDir dir;
  write_file(dir / "slow.yaml", "source: {type: video, path: " + video.string() + R"(}
stages: [{stage: slow, params: {ms: 15}}]
sinks:
  - {type: video, path: out/clip.mp4}
  - {type: jsonl, path: out/frames.jsonl}
)");
  fs::create_directories(dir / "out");
  const std::string err_file = (dir / "err.txt").string();
  std::vector<std::string> args = {CVPIPE_BIN, "run", (dir / "slow.yaml").string(), "--plugin-path", STREAMTEST_PLUGIN_DIR};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  for (int i = 0; i < 600 && !has_partial_file(dir / "out"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(has_partial_file(dir / "out")) << "the video sink did not start within 30 s";
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const auto t0 = std::chrono::steady_clock::now();
  ::kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string err = read_text(err_file);
  ASSERT_TRUE(WIFEXITED(status)) << err;
  EXPECT_EQ(WEXITSTATUS(status), 130) << err;
  EXPECT_LT(waited, 15.0);
  EXPECT_NE(err.find("interrupted"), std::string::npos) << err;
  EXPECT_FALSE(has_partial_file(dir / "out")) << "every sink was closed";
  ASSERT_TRUE(fs::exists(dir / "out/clip.mp4")) << err;
  const size_t lines = line_count(dir / "out/frames.jsonl");
  EXPECT_GT(lines, 0u);
  EXPECT_LT(lines, 700u) << "stopped mid-video (vtest.avi has 795 frames)";
  cv::VideoCapture cap((dir / "out/clip.mp4").string(), cv::CAP_FFMPEG);
  ASSERT_TRUE(cap.isOpened()) << "the video is playable";
  size_t decoded = 0;
  for (cv::Mat f; cap.read(f);) ++decoded;
  EXPECT_EQ(decoded, lines) << "the video holds every frame the jsonl lists";
}

TEST(StreamingCli, UnreachableLiveSourceIsRetriedThenReported) {
  TempDir dir;
  write_file(dir / "gone.yaml", R"(
source: {type: gstreamer, pipeline: "nosuchelement ! appsink", live: true, retry: 2, retry_delay_ms: 50}
sinks: [{type: null}]
)");
  const auto r = cvpipe({"run", "gone.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("retrying in 50 ms (attempt 1 of 2)"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("retrying in 100 ms (attempt 2 of 2)"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("gave up after 2 retries"), std::string::npos) << r.describe();
  EXPECT_GE(r.seconds, 0.15) << "the back-off was waited out";
}

TEST(StreamingCli, LiveSourceThatEndsIsReopened) {
  if (!gstreamer_available()) GTEST_SKIP() << "GStreamer's videotestsrc is not available";
  TempDir dir;
  write_file(dir / "flaky.yaml", R"(
source:
  type: gstreamer
  pipeline: "videotestsrc num-buffers=8 ! video/x-raw,width=64,height=48 ! videoconvert ! appsink"
  live: true
  retry: 1
  retry_delay_ms: 10
sinks: [{type: jsonl, path: f.jsonl}]
)");
  const auto r = cvpipe({"run", "flaky.yaml", "--max-frames", "20", "--metrics", "m.json"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(line_count(dir / "f.jsonl"), 20u) << "frames kept coming after each reopen";
  EXPECT_NE(r.err.find("the stream ended; retrying in 10 ms"), std::string::npos) << r.describe();
  const auto m = nlohmann::json::parse(read_text(dir / "m.json"));
  EXPECT_EQ(m["source_retries"], 2);
}

TEST(StreamingCli, LiveSourceIntoASlowStageDropsAndCounts) {
  if (!gstreamer_available()) GTEST_SKIP() << "GStreamer's videotestsrc is not available";
  TempDir dir;
  write_file(dir / "live.yaml", R"(
source:
  type: gstreamer
  pipeline: "videotestsrc is-live=true num-buffers=60 ! video/x-raw,width=64,height=48,framerate=100/1 ! videoconvert ! appsink"
  live: true
stages: [{stage: slow, params: {ms: 40}}]
sinks: [{type: jsonl, path: l.jsonl}]
runtime: {queue: 2}
)");
  const auto r = cvpipe({"run", "live.yaml", "--plugin-path", STREAMTEST_PLUGIN_DIR, "--metrics", "m.json"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const auto m = nlohmann::json::parse(read_text(dir / "m.json"));
  EXPECT_GT(m["dropped"].get<int>(), 10) << r.describe();
  EXPECT_EQ(m["source"]["dropped"], m["dropped"]);
  EXPECT_LE(m["frames"].get<int>() + m["dropped"].get<int>(), 60);
  EXPECT_EQ(m["frames"].get<size_t>(), line_count(dir / "l.jsonl"));
  EXPECT_LE(m["stages"][0]["queue_max"].get<int>(), 2) << "the queue stayed bounded";
  EXPECT_NE(r.err.find("dropped"), std::string::npos) << "the summary shows the drops:\n" << r.err;
}

TEST(StreamingCli, BenchmarkConfigsValidate) {
  for (const char* name : {"bench_two_stages.yaml", "bench_null.yaml"}) {
    const auto r = cvpipe({"validate", (source_dir() / "configs" / name).string()}, source_dir());
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.describe();
  }
}

}  // namespace
}  // namespace cvpipe::test
