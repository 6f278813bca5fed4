// The `denoise` and `add_noise` stages over gray, colour, odd-sized, 16-bit, 4-channel and empty
// frames, with explicit and automatic sigma, CNN and NL-means.
#include <gtest/gtest.h>

#include "denoise_stage.hpp"
#include "metrics.hpp"
#include "noise_stage.hpp"
#include "synthetic_noise.hpp"
#include "test_support.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::denoise {
namespace {

Params stage_params(const std::string& method, const std::string& model, ParamValue sigma) {
  Params p;
  for (const auto& s : DenoiseStage::params()) p.set(s.name, *s.default_value);
  // The defaults of model_gray / model_color as the host finds them: the committed models.
  p.set("model_gray", testing::shipped_model(1).string());
  p.set("model_color", testing::shipped_model(3).string());
  p.set("method", method);
  p.set("model", model);
  p.set("sigma", std::move(sigma));
  return p;
}

Status run_stage(const Params& p, Frame& frame) {
  DenoiseStage stage;
  StageContext ctx;
  ctx.threads = 2;
  CVPIPE_RETURN_IF_ERROR(stage.configure(p, ctx));
  StreamInfo in, out;
  CVPIPE_RETURN_IF_ERROR(stage.open(in, out));
  const Status st = stage.process(frame);
  stage.close();
  return st;
}

class StageFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir("stage");
    gray_model_ = testing::random_model_file(dir_->path, 1).string();
    color_model_ = testing::random_model_file(dir_->path, 3).string();
  }
  static void TearDownTestSuite() { delete dir_; }
  static testing::TempDir* dir_;
  static std::string gray_model_, color_model_;
};
testing::TempDir* StageFixture::dir_ = nullptr;
std::string StageFixture::gray_model_, StageFixture::color_model_;

TEST_F(StageFixture, GrayColorOddSizeKeepTypeAndSize) {
  for (int channels : {1, 3}) {
    const std::string& model = channels == 1 ? gray_model_ : color_model_;
    for (cv::Size size : {cv::Size(64, 48), cv::Size(37, 29), cv::Size(1, 1), cv::Size(2, 7)}) {
      Frame f;
      f.image = cv::Mat(size, CV_8UC(channels));
      cv::randu(f.image, 0, 255);
      const Status st = run_stage(stage_params("cnn", model, 10.0), f);
      ASSERT_OK(st);
      EXPECT_EQ(f.image.size(), size);
      EXPECT_EQ(f.image.type(), CV_8UC(channels));
      EXPECT_DOUBLE_EQ(std::get<double>(f.meta.at("denoise_sigma")), 10.0);
    }
  }
}

TEST_F(StageFixture, SixteenBitAndAlphaPassThrough) {
  Frame f;
  f.image = cv::Mat(40, 30, CV_16UC4);
  cv::randu(f.image, 0, 65535);
  cv::Mat alpha;
  cv::extractChannel(f.image, alpha, 3);
  const Status st = run_stage(stage_params("cnn", color_model_, 20.0), f);
  ASSERT_OK(st);
  EXPECT_EQ(f.image.type(), CV_16UC4);
  cv::Mat alpha_after;
  cv::extractChannel(f.image, alpha_after, 3);
  EXPECT_EQ(cv::norm(alpha, alpha_after, cv::NORM_INF), 0.0);
}

TEST_F(StageFixture, EmptyAndUnsupportedFramesAreErrorsNotCrashes) {
  Frame empty;
  Status st = run_stage(stage_params("cnn", gray_model_, 10.0), empty);
  EXPECT_EQ(st.code(), StatusCode::invalid_argument);
  EXPECT_NE(st.message().find("empty"), std::string::npos);
  Frame f32;
  f32.image = cv::Mat(8, 8, CV_32FC1, cv::Scalar(0.5));
  EXPECT_EQ(run_stage(stage_params("cnn", gray_model_, 10.0), f32).code(), StatusCode::unsupported);
  Frame two;
  two.image = cv::Mat(8, 8, CV_8UC2, cv::Scalar(1, 2));
  EXPECT_EQ(run_stage(stage_params("nlmeans", "", 10.0), two).code(), StatusCode::unsupported);
  Frame e2;
  EXPECT_EQ(run_stage(stage_params("nlmeans", "", 10.0), e2).code(), StatusCode::invalid_argument);
}

TEST_F(StageFixture, MissingModelFailsAtConfigure) {
  DenoiseStage stage;
  const Status st = stage.configure(stage_params("cnn", (dir_->path / "absent.safetensors").string(), 10.0), {});
  EXPECT_EQ(st.code(), StatusCode::not_found);
  EXPECT_NE(st.message().find("absent.safetensors"), std::string::npos);
}

TEST(DenoiseStage, NlMeansWithAutoSigmaRemovesNoise) {
  const cv::Mat clean = testing::photo("fruits.jpg", 1)(cv::Rect(100, 100, 160, 120)).clone();
  nn::Rng rng(1);
  Frame f;
  f.image = add_gaussian_noise(clean, 20.0, rng);
  const double before = psnr(f.image, clean);
  const Status st = run_stage(stage_params("nlmeans", "", std::string("auto")), f);
  ASSERT_OK(st);
  EXPECT_NEAR(std::get<double>(f.meta.at("denoise_sigma")), 20.0, 4.0);
  EXPECT_GT(psnr(f.image, clean), before + 4.0);
}

// With the shipped models (committed under models/): default model by channel count, on a
// held-out photo, 8 and 16 bit; the CNN beats NL-means on the same noisy frame.
TEST(DenoiseStage, ShippedModelsRemoveNoiseGrayColorAndSixteenBit) {
  ASSERT_FALSE(testing::shipped_model(1).empty()) << "models/denoise_gray.safetensors missing";
  ASSERT_FALSE(testing::shipped_model(3).empty()) << "models/denoise_color.safetensors missing";
  for (int channels : {1, 3}) {
    const cv::Mat clean = testing::photo("fruits.jpg", channels)(cv::Rect(150, 120, 201, 151)).clone();
    nn::Rng rng(2);
    Frame f;
    f.image = add_gaussian_noise(clean, 25.0, rng);
    const double before = psnr(f.image, clean);
    Frame baseline = f;
    baseline.image = f.image.clone();
    Status st = run_stage(stage_params("nlmeans", "", 25.0), baseline);
    ASSERT_OK(st);
    st = run_stage(stage_params("cnn", "", 25.0), f);
    ASSERT_OK(st);
    const double after = psnr(f.image, clean), nlm = psnr(baseline.image, clean);
    EXPECT_GT(after, before + 5.0) << "channels " << channels;
    EXPECT_GT(after, nlm + 0.3) << "channels " << channels;

    cv::Mat clean16;
    clean.convertTo(clean16, CV_16U, 257.0);
    Frame g;
    g.image = add_gaussian_noise(clean16, 25.0, rng);
    const double before16 = psnr(g.image, clean16, 65535.0);
    st = run_stage(stage_params("cnn", "", std::string("auto")), g);
    ASSERT_OK(st);
    EXPECT_EQ(g.image.type(), CV_16UC(channels));
    EXPECT_NEAR(std::get<double>(g.meta.at("denoise_sigma")), 25.0, 5.0);
    EXPECT_GT(psnr(g.image, clean16, 65535.0), before16 + 5.0) << "16-bit channels " << channels;
  }
}

// A gray picture stored as BGR (three equal channels) takes the gray path: the shipped gray model
// (or gray NL-means), the same pixels as the 1-channel frame, returned as three equal channels.
// One channel that differs anywhere makes it a colour frame again.
TEST(DenoiseStage, EqualChannelFramesAreDenoisedAsGray) {
  ASSERT_FALSE(testing::shipped_model(1).empty()) << "models/denoise_gray.safetensors missing";
  const cv::Mat clean = testing::photo("fruits.jpg", 1)(cv::Rect(150, 120, 96, 80)).clone();
  nn::Rng rng(3);
  const cv::Mat noisy = add_gaussian_noise(clean, 25.0, rng);
  for (const std::string method : {"cnn", "nlmeans"}) {
    Frame gray, bgr;
    gray.image = noisy.clone();
    cv::cvtColor(noisy, bgr.image, cv::COLOR_GRAY2BGR);
    ASSERT_OK(run_stage(stage_params(method, "", 25.0), gray));
    ASSERT_OK(run_stage(stage_params(method, "", 25.0), bgr));
    ASSERT_EQ(bgr.image.type(), CV_8UC3) << method;
    cv::Mat expected;
    cv::cvtColor(gray.image, expected, cv::COLOR_GRAY2BGR);
    EXPECT_EQ(cv::norm(bgr.image, expected, cv::NORM_INF), 0.0) << method;
  }
  Frame tinted;
  cv::cvtColor(noisy, tinted.image, cv::COLOR_GRAY2BGR);
  tinted.image.at<cv::Vec3b>(40, 50)[2] ^= 1;
  Frame gray;
  gray.image = noisy.clone();
  ASSERT_OK(run_stage(stage_params("nlmeans", "", 25.0), tinted));
  ASSERT_OK(run_stage(stage_params("nlmeans", "", 25.0), gray));
  cv::Mat as_gray;
  cv::cvtColor(gray.image, as_gray, cv::COLOR_GRAY2BGR);
  EXPECT_GT(cv::norm(tinted.image, as_gray, cv::NORM_INF), 0.0) << "a colour frame takes the colour path";
}

TEST(AddNoiseStage, AddsSeededNoiseAndKeepsOriginal) {
  Params p;
  for (const auto& s : AddNoiseStage::params()) p.set(s.name, *s.default_value);
  p.set("sigma", 15.0);
  AddNoiseStage stage;
  ASSERT_OK(stage.configure(p, {}));
  const cv::Mat clean = testing::photo("fruits.jpg", 3);
  Frame a, b;
  a.image = clean;
  b.image = clean;
  b.seq = 1;
  ASSERT_OK(stage.process(a));
  ASSERT_OK(stage.process(b));
  EXPECT_NEAR(psnr(a.image, clean), 20 * std::log10(255.0 / 15.0), 0.5);
  EXPECT_EQ(cv::norm(a.planes.at("original"), clean, cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(a.image, b.image, cv::NORM_INF), 0.0);  // frames get different noise
  Frame e;
  EXPECT_FALSE(stage.process(e).ok());
}

}  // namespace
}  // namespace cvpipe::denoise
