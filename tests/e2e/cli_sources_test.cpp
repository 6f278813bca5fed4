// `cvpipe run --input` with the sources that can run here: GStreamer test pattern, an HTTP stream
// from a local server, and a missing camera (a clear error). Live sources that deliver nothing
// end with an error within their timeouts: a GStreamer pipeline without frames (open_timeout_ms),
// an HTTP stream that stalls mid-way (timeout_ms); Ctrl-C while such a source opens stops at once.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
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

bool have_gstreamer_testsrc() {
  return cv::videoio_registry::hasBackend(cv::CAP_GSTREAMER) &&
         run_process({"/usr/bin/gst-inspect-1.0", "videotestsrc"}, with_timeout(20)).exit_code == 0;
}

TEST(Sources, GstreamerPipelineWithoutFramesFailsWithinOpenTimeout) {
  if (!have_gstreamer_testsrc()) GTEST_SKIP() << "GStreamer or its videotestsrc plugin is not available";
  TempDir dir;
  write_file(dir / "gst.yaml", "source: { type: gstreamer, pipeline: 'videotestsrc ! fakesink', open_timeout_ms: 1500 }\n"
                               "sinks: [ { type: jsonl, path: g.jsonl } ]\n");
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = cvpipe({"run", "gst.yaml", "-q"}, dir.path(), with_timeout(60));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("nothing within 1500 ms (open_timeout_ms"), std::string::npos) << r.describe();
  EXPECT_LT(seconds, 20.0);
  EXPECT_FALSE(fs::exists(dir / "g.jsonl"));
}

TEST(Sources, FirstCtrlCInterruptsOpeningASource) {
  if (!have_gstreamer_testsrc()) GTEST_SKIP() << "GStreamer or its videotestsrc plugin is not available";
  TempDir dir;
  write_file(dir / "gst.yaml", "source: { type: gstreamer, pipeline: 'videotestsrc ! fakesink', open_timeout_ms: 60000 }\n"
                               "sinks: [ { type: jsonl, path: g.jsonl } ]\n");
  BackgroundProcess run;
  ASSERT_TRUE(run.start({CVPIPE_BIN, "run", "gst.yaml"}, dir.path()));
  // Long enough for the run to have installed its handlers and be opening the source even on a
  // loaded machine, well inside the open timeout.
  std::this_thread::sleep_for(std::chrono::seconds(5));
  ASSERT_TRUE(run.signal(SIGINT));
  const int status = run.wait_exit(3.0);
  ASSERT_NE(status, -1) << "the first Ctrl-C must stop opening the source";
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_FALSE(fs::exists(dir / "g.jsonl"));
}

// One HTTP client gets an MJPEG stream (multipart/x-mixed-replace) of `frames` JPEG frames, then a
// connection that stays open and silent until the server is destroyed.
class StallingMjpegServer {
 public:
  explicit StallingMjpegServer(int frames) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener_, 4) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      return;
    port_ = ntohs(addr.sin_port);
    std::vector<std::uint8_t> jpeg;
    cv::imencode(".jpg", color_image(64, 48), jpeg);
    thread_ = std::thread([this, frames, jpeg] {
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) return;
      char request[4096];
      (void)::recv(client, request, sizeof request, 0);
      std::string out = "HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=frame\r\n\r\n";
      for (int i = 0; i < frames; ++i) {
        out += "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + std::to_string(jpeg.size()) + "\r\n\r\n";
        out.append(jpeg.begin(), jpeg.end());
        out += "\r\n";
      }
      (void)::send(client, out.data(), out.size(), MSG_NOSIGNAL);
      while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ::close(client);
    });
  }
  ~StallingMjpegServer() {
    stop_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
  }
  int port() const { return port_; }

 private:
  int listener_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(Sources, HttpStreamThatStallsMidWayIsAnError) {
  TempDir dir;
  StallingMjpegServer server(20);
  ASSERT_GT(server.port(), 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/live.mjpg";
  write_file(dir / "s.yaml", "source: { type: stream, url: '" + url + "', timeout_ms: 1000 }\n"
                             "sinks: [ { type: jsonl, path: s.jsonl } ]\n");
  const auto r = cvpipe({"run", "s.yaml", "-q"}, dir.path(), with_timeout(60));
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("the stream stalled"), std::string::npos) << r.describe();
  EXPECT_EQ(r.err.find("0 errors"), std::string::npos) << r.describe();
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
