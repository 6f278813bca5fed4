// imgproc `color`, `gaussian_blur`, `median_blur`, `bilateral` and `nlmeans`: results against
// OpenCV or a measurable effect, 16-bit handling, and parameter errors.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include "cvpipe/testing/images.hpp"
#include "cvpipe/testing/stage_harness.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::test {
namespace {

Frame run(const std::string& stage, const cv::Mat& img, const ParamTexts& params) {
  StageHarness h("imgproc", stage);
  Frame out;
  const Status st = h.run_one(make_frame(img), out, params);
  EXPECT_OK(st);
  return out;
}

Status run_status(const std::string& stage, const cv::Mat& img, const ParamTexts& params) {
  StageHarness h("imgproc", stage);
  Frame out;
  return h.run_one(make_frame(img), out, params);
}

TEST(Color, ConversionsMatchOpenCV) {
  const cv::Mat red(4, 4, CV_8UC3, cv::Scalar(0, 0, 255));
  Frame hsv = run("color", red, {{"to", "hsv"}});
  EXPECT_EQ(hsv.image.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 255, 255));
  EXPECT_EQ(std::get<std::string>(hsv.meta["color_space"]), "hsv");
  Frame rgb = run("color", red, {{"to", "rgb"}});
  EXPECT_EQ(rgb.image.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 0, 0));
  const cv::Mat img = color_image(33, 17);
  cv::Mat lab;
  cv::cvtColor(img, lab, cv::COLOR_BGR2Lab);
  EXPECT_EQ(max_abs_diff(run("color", img, {{"to", "lab"}}).image, lab), 0.0);
}

TEST(Color, GrayInAndOut) {
  const cv::Mat gray = gray_image(9, 7);
  EXPECT_EQ(run("color", gray, {{"to", "gray"}}).image.channels(), 1);
  EXPECT_EQ(run("color", gray, {{"to", "bgr"}}).image.channels(), 3);
  EXPECT_EQ(run("color", gray, {{"to", "hsv"}}).image.channels(), 3);
  EXPECT_EQ(run("color", color_image(9, 7), {{"to", "gray"}}).image.channels(), 1);
  cv::Mat bgra = pattern_image({9, 7}, CV_8UC4);
  EXPECT_EQ(run("color", bgra, {{"to", "bgr"}}).image.channels(), 3);
}

TEST(Color, SixteenBitWhereOpenCVSupportsIt) {
  Frame g = run("color", color_image(8, 8, CV_16U), {{"to", "gray"}});
  EXPECT_EQ(g.image.type(), CV_16UC1);
  const Status st = run_status("color", color_image(8, 8, CV_16U), {{"to", "hsv"}});
  EXPECT_STATUS(st, unsupported);
  EXPECT_NE(st.message().find("8-bit"), std::string::npos) << st.message();
}

TEST(GaussianBlur, MatchesOpenCVAndSmooths) {
  const cv::Mat img = color_image(64, 48);
  cv::Mat expected;
  cv::GaussianBlur(img, expected, {7, 7}, 2.0, 2.0, cv::BORDER_REFLECT_101);
  const Frame out = run("gaussian_blur", img, {{"ksize", "7"}, {"sigma", "2"}});
  EXPECT_EQ(max_abs_diff(out.image, expected), 0.0);
  EXPECT_LT(sharpness(out.image), 0.7 * sharpness(img));
}

TEST(GaussianBlur, SigmaAloneAndSixteenBit) {
  const Frame out = run("gaussian_blur", gray_image(40, 30, CV_16U), {{"ksize", "0"}, {"sigma", "1.5"}});
  EXPECT_EQ(out.image.type(), CV_16UC1);
  EXPECT_LT(sharpness(out.image), sharpness(gray_image(40, 30, CV_16U)));
}

TEST(GaussianBlur, ParameterErrors) {
  StageHarness h("imgproc", "gaussian_blur");
  const Status even = h.configure({{"ksize", "4"}});
  EXPECT_STATUS(even, invalid_argument);
  EXPECT_NE(even.message().find("odd"), std::string::npos) << even.message();
  EXPECT_STATUS(h.configure({{"ksize", "0"}, {"sigma", "0"}}), invalid_argument);
  EXPECT_STATUS(h.configure({{"ksize", "301"}}), invalid_argument);
  EXPECT_STATUS(h.configure({{"sigma", "abc"}}), invalid_argument);
}

TEST(MedianBlur, RemovesSaltAndPepper) {
  cv::Mat img(21, 21, CV_8UC1, cv::Scalar(100));
  img.at<uchar>(10, 10) = 255;
  img.at<uchar>(3, 4) = 0;
  const Frame out = run("median_blur", img, {{"ksize", "3"}});
  EXPECT_EQ(cv::countNonZero(out.image != 100), 0);
}

TEST(MedianBlur, SixteenBitLimits) {
  EXPECT_OK(run_status("median_blur", gray_image(20, 20, CV_16U), {{"ksize", "5"}}));
  const Status st = run_status("median_blur", gray_image(20, 20, CV_16U), {{"ksize", "7"}});
  EXPECT_STATUS(st, unsupported);
  EXPECT_NE(st.message().find("8-bit"), std::string::npos) << st.message();
  StageHarness h("imgproc", "median_blur");
  EXPECT_STATUS(h.configure({{"ksize", "6"}}), invalid_argument);
}

double flat_noise(const cv::Mat& img) {
  cv::Scalar mean, stddev;
  cv::meanStdDev(img(cv::Rect(2, 2, 12, 12)), mean, stddev);
  return stddev[0];
}

TEST(Bilateral, SmoothsFlatAreasKeepsEdges) {
  cv::Mat clean(32, 32, CV_8UC1, cv::Scalar(60));
  clean(cv::Rect(16, 0, 16, 32)).setTo(200);
  const cv::Mat noisy = add_noise(clean, 8);
  const Frame out = run("bilateral", noisy, {{"d", "7"}, {"sigma_color", "40"}, {"sigma_space", "5"}});
  EXPECT_LT(flat_noise(out.image), 0.6 * flat_noise(noisy));
  // The step survives: left and right halves stay far apart.
  EXPECT_GT(out.image.at<uchar>(16, 18) - out.image.at<uchar>(16, 13), 100);
}

TEST(Bilateral, SixteenBitStaysSixteenBit) {
  cv::Mat clean(32, 32, CV_16UC3, cv::Scalar(20000, 30000, 40000));
  const cv::Mat noisy = add_noise(clean, 8);
  const Frame out = run("bilateral", noisy, {{"d", "7"}, {"sigma_color", "40"}, {"sigma_space", "5"}});
  EXPECT_EQ(out.image.type(), CV_16UC3);
  EXPECT_LT(flat_noise(out.image), 0.6 * flat_noise(noisy));
}

TEST(NlMeans, DenoisesGrayAndColor) {
  for (int type : {CV_8UC1, CV_8UC3, CV_16UC1}) {
    SCOPED_TRACE(type_name(type));
    // The pattern carries a little texture noise of its own: smooth it so "clean" is clean.
    cv::Mat clean;
    cv::GaussianBlur(pattern_image({48, 40}, type), clean, {5, 5}, 1.5);
    const cv::Mat noisy = add_noise(clean, 15);
    const Frame out = run("nlmeans", noisy, {{"h", "15"}, {"h_color", "15"}});
    ASSERT_EQ(out.image.type(), type);
    const double r = clean.depth() == CV_16U ? 65535.0 : 255.0;
    EXPECT_GT(cv::PSNR(out.image, clean, r), cv::PSNR(noisy, clean, r) + 2.0);
  }
}

TEST(NlMeans, ParameterErrors) {
  StageHarness h("imgproc", "nlmeans");
  EXPECT_STATUS(h.configure({{"template", "4"}}), invalid_argument);
  EXPECT_STATUS(h.configure({{"search", "8"}}), invalid_argument);
  EXPECT_STATUS(h.configure({{"h", "-1"}}), invalid_argument);
}

}  // namespace
}  // namespace cvpipe::test
