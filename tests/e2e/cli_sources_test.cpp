// `cvpipe run --input` with the sources that can run here: GStreamer test pattern, an HTTP stream
// from a local server, and a missing camera (a clear error).
#include <gtest/gtest.h>

#include <opencv2/videoio/registry.hpp>

#include "e2e_common.hpp"
#include "cvpipe/testing/images.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

const std::string kBlur = (source_dir() / "configs/blur.yaml").string();

size_t line_count(const fs::path& file) {
  const std::string text = read_text(file);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(Sources, GstreamerTestPattern) {
  if (!cv::videoio_registry::hasBackend(cv::CAP_GSTREAMER) ||
      run_process({"/usr/bin/gst-inspect-1.0", "videotestsrc"}, with_timeout(20)).exit_code != 0)
    GTEST_SKIP() << "GStreamer or its videotestsrc plugin is not available";
  TempDir dir;
  const auto r = cvpipe({"run", kBlur, "--input", "gst:videotestsrc num-buffers=30 ! videoconvert ! appsink", "--output",
                         "g.jsonl", "-q"},
                        dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(line_count(dir / "g.jsonl"), 30u);
}

TEST(Sources, HttpStreamFromALocalServer) {
  if (!fs::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3 for a local HTTP server";
  TempDir dir;
  write_test_video(dir / "clip.avi", 8, {64, 48});
  const int port = free_local_port();
  ASSERT_GT(port, 0);
  BackgroundProcess server;
  ASSERT_TRUE(server.start({"/usr/bin/python3", "-m", "http.server", std::to_string(port), "--bind", "127.0.0.1"}, dir.path()));
  if (!wait_for_port(port, 20)) GTEST_SKIP() << "the local HTTP server did not start";
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/clip.avi";
  const auto r = cvpipe({"run", kBlur, "--input", url, "--output", "s.jsonl", "-q"}, dir.path());
  server.stop();
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(line_count(dir / "s.jsonl"), 8u);
}

TEST(Sources, MissingCameraIsAClearError) {
  TempDir dir;
  const auto r = cvpipe({"run", kBlur, "--input", "/dev/video97", "--output", "o"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("camera"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("/dev/video97"), std::string::npos) << r.describe();
}

TEST(Sources, BadInputUriIsAUsageError) {
  TempDir dir;
  const auto r = cvpipe({"run", kBlur, "--input", "ftp://x/y", "--output", "o"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("ftp://"), std::string::npos) << r.describe();
  const auto missing = cvpipe({"run", kBlur, "--input", "nope/*.png", "--output", "o"}, dir.path());
  EXPECT_EQ(missing.exit_code, 2) << missing.describe();
}

}  // namespace
}  // namespace cvpipe::test
