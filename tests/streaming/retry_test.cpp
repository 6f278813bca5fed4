// RetryingSource: a live source that fails to open or breaks is reopened with back-off, a frame
// resets the count, and when the attempts are used up the loss is reported (then the stream ends).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <deque>

#include "io/retrying_source.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::test {
namespace {

// A scripted source: each open() takes the next entry of `opens` (frames it will deliver, or -1:
// the open fails); after its frames a read fails ("the device went away").
class ScriptedSource final : public io::Source {
 public:
  explicit ScriptedSource(std::deque<int> opens) : opens_(std::move(opens)) {}
  Status open(StreamInfo& info) override {
    ++open_calls;
    if (opens_.empty()) return Status::io("camera: no such device");
    const int n = opens_.front();
    opens_.pop_front();
    if (n < 0) return Status::io("camera: no such device");
    left_ = n;
    info.live = true;
    return {};
  }
  Status read(Frame& frame) override {
    if (left_ <= 0) return Status::io("camera: read failed (unplugged?)");
    --left_;
    frame.source = "cam";
    return {};
  }
  std::string describe() const override { return "camera:0"; }
  int open_calls = 0;

 private:
  std::deque<int> opens_;
  int left_ = 0;
};

TEST(RetryingSource, ReopensAfterABreakThenReportsTheLoss) {
  auto inner = std::make_unique<ScriptedSource>(std::deque<int>{3, -1, 2, -1, -1});
  ScriptedSource* raw = inner.get();
  io::RetryingSource src(std::move(inner), io::RetryPolicy{2, 5});
  StreamInfo info;
  ASSERT_OK(src.open(info));
  EXPECT_TRUE(info.live);
  Frame f;
  int frames = 0;
  Status st;
  const auto t0 = std::chrono::steady_clock::now();
  while ((st = src.read(f)).ok()) ++frames;
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  // 3 frames; break; open fails once, works (2 frames); break; two failed opens: reported.
  EXPECT_EQ(frames, 5);
  EXPECT_STATUS(st, io_error);
  EXPECT_NE(st.message().find("camera:0: gave up after 2 retries"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("no such device"), std::string::npos) << "the last cause: " << st.message();
  EXPECT_EQ(raw->open_calls, 5);
  EXPECT_EQ(src.retries(), 4);
  EXPECT_GE(ms, 5 + 10 + 5 + 10 - 1) << "back-off doubles per attempt and restarts after a frame";
  EXPECT_TRUE(src.read(f).is_end()) << "after the loss is reported the stream ends";
  const auto warnings = src.take_warnings();
  ASSERT_EQ(warnings.size(), 4u);
  EXPECT_NE(warnings[0].find("retrying in 5 ms (attempt 1 of 2)"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find("retrying in 10 ms (attempt 2 of 2)"), std::string::npos) << warnings[1];
  EXPECT_OK(src.close());
}

TEST(RetryingSource, FailedOpenIsRetriedAndAStopCutsTheWaitShort) {
  auto inner = std::make_unique<ScriptedSource>(std::deque<int>{-1, 1});
  io::RetryingSource src(std::move(inner), io::RetryPolicy{1, 1});
  StreamInfo info;
  ASSERT_OK(src.open(info)) << "the second open worked";
  EXPECT_TRUE(info.live) << "the reopened source describes the stream";

  std::atomic<bool> stop{true};
  io::RetryingSource stopping(std::make_unique<ScriptedSource>(std::deque<int>{}), io::RetryPolicy{3, 60000}, &stop);
  const auto t0 = std::chrono::steady_clock::now();
  const Status st = stopping.open(info);
  EXPECT_STATUS(st, io_error);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5)) << "a stop does not wait out the back-off";
}

TEST(RetryingSource, PolicyFromOptions) {
  Params p;
  EXPECT_EQ(io::retry_policy(p).attempts, 0);
  p.set("retry", int64_t{4});
  p.set("retry_delay_ms", int64_t{250});
  EXPECT_EQ(io::retry_policy(p).attempts, 4);
  EXPECT_EQ(io::retry_policy(p).delay_ms, 250);
  const auto* gst = io::source_params("gstreamer");
  ASSERT_NE(gst, nullptr);
  int found = 0;
  for (const auto& s : *gst) found += s.name == "retry" || s.name == "retry_delay_ms";
  EXPECT_EQ(found, 2) << "live source types declare the retry options";
}

}  // namespace
}  // namespace cvpipe::test
