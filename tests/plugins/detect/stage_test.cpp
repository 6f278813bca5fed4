// The detect and track stages through the stage harness (the built plugin .so): gray and color,
// 8 and 16 bits, odd sizes, empty input, bad parameters; and a draw-ready result on real frames.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "cvpipe/testing/images.hpp"
#include "cvpipe/testing/stage_harness.hpp"
#include "cvpipe/testing/status_matchers.hpp"
#include "test_util.hpp"

namespace cvpipe::test {
namespace {

const std::vector<ParamTexts>& backends() {
  static const std::vector<ParamTexts> b = {{{"backend", "cnn"}}, {{"backend", "haar"}, {"cascade", "face"}}, {{"backend", "hog"}}};
  return b;
}

TEST(DetectStage, GrayAndColorAtOddSizes) {
  StageHarness h("detect", "detect");
  ASSERT_OK(h.load_status());
  for (const auto& params : backends()) {
    for (int type : common_types()) {
      for (cv::Size size : odd_sizes()) {
        SCOPED_TRACE(params[0].second + " " + type_name(type) + " " + std::to_string(size.width) + "x" + std::to_string(size.height));
        Frame in = make_frame(pattern_image(size, type));
        in.detections.push_back(Detection{cv::Rect2f(0, 0, 1, 1), 5, "stale", 1.f});
        Frame out;
        ASSERT_OK(h.run_one(in, out, params));
        EXPECT_EQ(max_abs_diff(out.image, in.image), 0.0) << "the image must pass unchanged";
        for (const auto& d : out.detections) EXPECT_NE(d.label, "stale") << "detections are replaced, not appended";
      }
    }
  }
}

TEST(DetectStage, EmptyImageIsAnErrorNamingStageAndFrame) {
  StageHarness h("detect", "detect");
  ASSERT_OK(h.load_status());
  Frame out;
  const Status st = h.run_one(make_frame(cv::Mat(), "nothing.png", 4), out);
  EXPECT_STATUS(st, invalid_argument);
  EXPECT_NE(st.message().find("detect: frame 4 (nothing.png)"), std::string::npos) << st.message();
}

TEST(DetectStage, UnknownCascadeOrClassIsAConfigError) {
  StageHarness h("detect", "detect");
  ASSERT_OK(h.load_status());
  Status st = h.configure({{"backend", "haar"}, {"cascade", "fcae"}});
  EXPECT_STATUS(st, not_found);
  EXPECT_NE(st.message().find("unknown cascade 'fcae'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("face"), std::string::npos) << "the known names are listed: " << st.message();
  st = h.configure({{"backend", "haar"}, {"cascade", "/no/such/cascade.xml"}});
  EXPECT_STATUS(st, not_found);
  EXPECT_NE(st.message().find("/no/such/cascade.xml"), std::string::npos) << st.message();
  st = h.configure({{"backend", "hog"}, {"classes", "car"}});
  EXPECT_STATUS(st, invalid_argument);
  EXPECT_NE(st.message().find("unknown class 'car'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("person"), std::string::npos) << st.message();
  EXPECT_OK(h.configure({{"backend", "haar"}, {"cascade", "face, eye"}, {"classes", "eye"}}));
}

TEST(DetectStage, CnnRefusesAModelOfAnotherPluginAndHalfALetterbox) {
  StageHarness h("detect", "detect");
  ASSERT_OK(h.load_status());
  const std::string classify_model = (std::filesystem::path(CVPIPE_SOURCE_DIR) / "models/classify_digits.safetensors").string();
  Status st = h.configure({{"backend", "cnn"}, {"model", classify_model}});
  EXPECT_STATUS(st, invalid_argument);
  EXPECT_NE(st.message().find("classify_digits.safetensors"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("not a detect model"), std::string::npos) << st.message();
  st = h.configure({{"backend", "cnn"}, {"width", "320"}});
  EXPECT_STATUS(st, invalid_argument);
  EXPECT_NE(st.message().find("'width' and 'height'"), std::string::npos) << st.message();
  EXPECT_OK(h.configure({{"backend", "cnn"}, {"width", "320"}, {"height", "240"}}));
}

TEST(DetectStage, FindsPeopleInAVideoFrameAndTrackNumbersThem) {
  cv::VideoCapture cap(detect::test::sample("vtest.avi").string());
  if (!cap.isOpened()) GTEST_SKIP() << "vtest.avi not installed";
  std::vector<Frame> frames;
  for (int i = 0; i < 26; ++i) {  // frames 20-25: three or four people walk in view
    cv::Mat img;
    ASSERT_TRUE(cap.read(img));
    if (i >= 20) frames.push_back(make_frame(img, "vtest.avi", i));
  }
  StageHarness detect("detect", "detect"), track("detect", "track");
  ASSERT_OK(detect.load_status());
  ASSERT_OK(track.load_status());
  std::vector<Frame> detected, tracked;
  ASSERT_OK(detect.run(frames, detected, {{"backend", "hog"}}));
  ASSERT_OK(track.run(detected, tracked, {{"min_hits", "2"}}));
  ASSERT_EQ(tracked.size(), frames.size());
  EXPECT_TRUE(tracked[0].detections.empty()) << "no track is confirmed after one frame";
  for (size_t i = 1; i < tracked.size(); ++i) {
    EXPECT_GE(tracked[i].detections.size(), 1u) << "frame " << i;
    for (const auto& d : tracked[i].detections) EXPECT_GT(d.track_id, 0);
  }
}

}  // namespace
}  // namespace cvpipe::test
