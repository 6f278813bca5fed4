// The inpainting guarantees, for the network and for cv::inpaint: known pixels unchanged bit for
// bit, hole contents ignored, all-zero mask a no-op, wrong-size mask a clear error, any size and
// type, tiles around the holes equal to one whole-image pass; model files round-trip and a
// truncated one is refused naming the file.
#include <fstream>

#include <gtest/gtest.h>

#include "hole_psnr.hpp"
#include "inpainter.hpp"
#include "test_support.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::inpaint {
namespace {

// Pixels outside `mask` equal in a and b (bit for bit).
void expect_known_equal(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  ASSERT_EQ(a.type(), b.type()) << what;
  cv::Mat known = mask == 0, diff;
  cv::absdiff(a, b, diff);
  std::vector<cv::Mat> planes;
  cv::split(diff, planes);
  for (const auto& p : planes) {
    cv::Mat changed;
    cv::compare(p, 0, changed, cv::CMP_NE);
    EXPECT_EQ(cv::countNonZero(changed & known), 0) << what;
  }
}

TEST(Inpainter, KnownPixelsUnchangedEveryTypeAndSize) {
  Inpainter cnn(testing::random_net());
  for (int type : {CV_8UC3, CV_8UC1, CV_8UC4, CV_16UC3, CV_16UC1}) {
    for (cv::Size size : {cv::Size(64, 48), cv::Size(37, 29), cv::Size(5, 3)}) {
      const cv::Mat img = testing::random_image(size, type);
      const cv::Mat mask = testing::test_mask(size);
      cv::Mat out_cnn, out_telea, out_ns;
      ASSERT_OK(cnn.inpaint(img, mask, out_cnn));
      ASSERT_OK(classic_inpaint(img, mask, InpaintMethod::telea, 3, out_telea));
      ASSERT_OK(classic_inpaint(img, mask, InpaintMethod::ns, 3, out_ns));
      const std::string what = "type " + std::to_string(type) + " size " + std::to_string(size.width) + "x" + std::to_string(size.height);
      expect_known_equal(out_cnn, img, mask, "cnn " + what);
      expect_known_equal(out_telea, img, mask, "telea " + what);
      expect_known_equal(out_ns, img, mask, "ns " + what);
      if (img.channels() == 4) {  // alpha untouched everywhere
        cv::Mat a_in, a_out;
        cv::extractChannel(img, a_in, 3);
        cv::extractChannel(out_cnn, a_out, 3);
        EXPECT_EQ(cv::norm(a_in, a_out, cv::NORM_INF), 0.0);
      }
    }
  }
}

TEST(Inpainter, HoleContentsAreIgnored) {
  Inpainter cnn(testing::random_net());
  const cv::Mat img = testing::photo("fruits.jpg")(cv::Rect(100, 100, 96, 80)).clone();
  const cv::Mat mask = testing::test_mask(img.size());
  cv::Mat other = img.clone();
  other.setTo(cv::Scalar(255, 0, 255), mask);
  cv::Mat a, b, ta, tb;
  ASSERT_OK(cnn.inpaint(img, mask, a));
  ASSERT_OK(cnn.inpaint(other, mask, b));
  EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0.0);
  ASSERT_OK(classic_inpaint(img, mask, InpaintMethod::telea, 3, ta));
  ASSERT_OK(classic_inpaint(other, mask, InpaintMethod::telea, 3, tb));
  EXPECT_EQ(cv::norm(ta, tb, cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(a, img, cv::NORM_L1), 0.0) << "the hole was filled";
}

TEST(Inpainter, FlipEnsembleKeepsKnownPixelsAndAverages) {
  const cv::Mat img = testing::photo("fruits.jpg")(cv::Rect(60, 60, 64, 48)).clone();
  const cv::Mat mask = testing::test_mask(img.size());
  Inpainter one(testing::random_net(), {512, 96, 1}), four(testing::random_net(), {512, 96, 4});
  cv::Mat a, b;
  ASSERT_OK(one.inpaint(img, mask, a));
  ASSERT_OK(four.inpaint(img, mask, b));
  cv::Mat known_diff;
  cv::absdiff(b, img, known_diff);
  cv::cvtColor(known_diff, known_diff, cv::COLOR_BGR2GRAY);
  EXPECT_EQ(cv::countNonZero(known_diff & (mask == 0)), 0);
  EXPECT_GT(cv::norm(a, b, cv::NORM_L1), 0.0) << "four passes differ from one";
  // The mirrored image filled with 4 passes is the mirror of the result (the passes are symmetric
  // up to Telea's own asymmetry and float rounding): within a few levels on average.
  cv::Mat img_m, mask_m, b_m;
  cv::flip(img, img_m, 1);
  cv::flip(mask, mask_m, 1);
  ASSERT_OK(four.inpaint(img_m, mask_m, b_m));
  cv::flip(b_m, b_m, 1);
  EXPECT_LT(cv::norm(b, b_m, cv::NORM_L1) / (3.0 * cv::countNonZero(mask)), 4.0);
}

TEST(Inpainter, AllZeroMaskIsNoOp) {
  Inpainter cnn(testing::random_net());
  const cv::Mat img = testing::random_image({40, 30}, CV_8UC3);
  const cv::Mat zero = cv::Mat::zeros(img.size(), CV_8UC1);
  cv::Mat out;
  ASSERT_OK(cnn.inpaint(img, zero, out));
  EXPECT_EQ(cv::norm(out, img, cv::NORM_INF), 0.0);
  ASSERT_OK(classic_inpaint(img, zero, InpaintMethod::ns, 3, out));
  EXPECT_EQ(cv::norm(out, img, cv::NORM_INF), 0.0);
}

TEST(Inpainter, WrongSizeMaskIsAnError) {
  Inpainter cnn(testing::random_net());
  const cv::Mat img = testing::random_image({40, 30}, CV_8UC3);
  cv::Mat out;
  const Status st = cnn.inpaint(img, cv::Mat::zeros(31, 40, CV_8UC1), out);
  EXPECT_EQ(st.code(), StatusCode::invalid_argument);
  EXPECT_NE(st.message().find("40x31"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("40x30"), std::string::npos) << st.message();
  EXPECT_EQ(classic_inpaint(img, cv::Mat::zeros(3, 3, CV_8UC1), InpaintMethod::telea, 3, out).code(), StatusCode::invalid_argument);
  EXPECT_EQ(cnn.inpaint(cv::Mat(4, 4, CV_32FC3), cv::Mat::zeros(4, 4, CV_8UC1), out).code(), StatusCode::unsupported);
}

TEST(Inpainter, TilesAroundHolesMatchOnePass) {
  // Margin beyond the tiny network's receptive field: tiled == whole image (up to float rounding).
  const cv::Mat img = testing::photo("baboon.jpg")(cv::Rect(0, 0, 160, 120)).clone();
  cv::Mat mask = cv::Mat::zeros(img.size(), CV_8UC1);
  cv::rectangle(mask, cv::Rect(20, 30, 20, 16), cv::Scalar(255), cv::FILLED);
  cv::rectangle(mask, cv::Rect(120, 90, 30, 20), cv::Scalar(255), cv::FILLED);
  Inpainter whole(testing::random_net(), {1024, 96});
  Inpainter tiled(testing::random_net(), {128, 48});
  cv::Mat a, b;
  ASSERT_OK(whole.inpaint(img, mask, a));
  ASSERT_OK(tiled.inpaint(img, mask, b));
  // Telea is local, the network's receptive field < 48: at most rounding differences.
  EXPECT_LE(cv::norm(a, b, cv::NORM_INF), 1.0);
  EXPECT_GT(hole_psnr(b, a, mask), 50.0);
}

TEST(InpaintNet, SaveLoadRoundTripAndTruncatedFile) {
  testing::TempDir dir("model");
  const auto path = testing::random_model_file(dir.path);
  std::unique_ptr<InpaintNet> loaded;
  const Status st = InpaintNet::load(path, loaded);
  ASSERT_OK(st);
  EXPECT_EQ(loaded->options().base_width, testing::tiny_unet().base_width);
  const cv::Mat img = testing::random_image({32, 32}, CV_8UC3), mask = testing::test_mask({32, 32});
  auto original = testing::random_net();
  EXPECT_EQ(cv::norm(original->run(img, mask), loaded->run(img, mask), cv::NORM_INF), 0.0);

  const auto size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, size / 2);
  const Status bad = InpaintNet::load(path, loaded);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find(path.string()), std::string::npos) << bad.message();
}

}  // namespace
}  // namespace cvpipe::inpaint
