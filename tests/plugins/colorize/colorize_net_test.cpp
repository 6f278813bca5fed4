// The colorize network and stage plumbing, with random weights: the output keeps the input's L,
// gray and colour (and 16-bit, BGRA) input work, any size works, saturation 0 gives the grayscale
// picture, and broken model files are clear errors naming the file.
#include <fstream>

#include <gtest/gtest.h>

#include "colorize_stage.hpp"
#include "test_support.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::colorize {
namespace {

using testing::colour_picture;

// Mean |L(out) - L(in)| over the image (8-bit rounding and gamut clipping allow a little).
double mean_l_difference(const cv::Mat& in, const cv::Mat& out) {
  cv::Mat li, lo;
  EXPECT_OK(lightness(in, li));
  EXPECT_OK(lightness(out, lo));
  return cv::mean(cv::abs(li - lo))[0];
}

TEST(ColorizeNet, KeepsLightnessOfGrayAndColourInput) {
  auto net = testing::random_colorize_net();
  const cv::Mat colour = colour_picture(70, 50, 1);
  cv::Mat gray;
  cv::cvtColor(colour, gray, cv::COLOR_BGR2GRAY);
  for (const cv::Mat& in : {colour, gray}) {
    cv::Mat out;
    ASSERT_OK(net->colorize(in, 1.f, out));
    EXPECT_EQ(out.type(), CV_8UC3);
    EXPECT_EQ(out.size(), in.size());
    EXPECT_LT(mean_l_difference(in, out), 1.0) << "channels " << in.channels();
  }
}

TEST(ColorizeNet, GrayInputGetsColour) {
  auto net = testing::random_colorize_net();
  cv::Mat gray;
  cv::cvtColor(colour_picture(64, 64, 2), gray, cv::COLOR_BGR2GRAY);
  Decoding d = net->decoding();
  d.temperature = 0.1f;  // the mode of random logits: clearly coloured
  net->set_decoding(d);
  cv::Mat out;
  ASSERT_OK(net->colorize(gray, 1.f, out));
  EXPECT_GT(colorfulness(out), 3.0);
}

TEST(ColorizeNet, OddAndTinySizes) {
  auto net = testing::random_colorize_net();
  for (const cv::Size s : {cv::Size(37, 53), cv::Size(1, 1), cv::Size(3, 200), cv::Size(201, 7), cv::Size(333, 111)}) {
    const cv::Mat in = colour_picture(s.width, s.height, 3);
    cv::Mat out;
    ASSERT_OK(net->colorize(in, 1.f, out)) << s;
    EXPECT_EQ(out.size(), s);
    EXPECT_LT(mean_l_difference(in, out), 1.5) << s;
  }
}

TEST(ColorizeNet, SixteenBitAndAlpha) {
  auto net = testing::random_colorize_net();
  cv::Mat in16;
  colour_picture(40, 30, 4).convertTo(in16, CV_16UC3, 257.0);
  cv::Mat out;
  ASSERT_OK(net->colorize(in16, 1.f, out));
  EXPECT_EQ(out.type(), CV_16UC3);
  EXPECT_LT(mean_l_difference(in16, out), 1.0);
  cv::Mat bgra;
  cv::cvtColor(colour_picture(40, 30, 5), bgra, cv::COLOR_BGR2BGRA);
  bgra.col(3).setTo(cv::Scalar(1, 2, 3, 77));
  ASSERT_OK(net->colorize(bgra, 1.f, out));
  ASSERT_EQ(out.type(), CV_8UC4);
  cv::Mat alpha;
  cv::extractChannel(out, alpha, 3);
  EXPECT_EQ(alpha.at<uchar>(0, 3), 77);
  EXPECT_EQ(alpha.at<uchar>(0, 0), 255);
}

TEST(ColorizeNet, SaturationZeroIsTheGrayscalePicture) {
  auto net = testing::random_colorize_net();
  const cv::Mat in = colour_picture(48, 40, 6);
  cv::Mat out;
  ASSERT_OK(net->colorize(in, 0.f, out));
  EXPECT_LE(cv::norm(out, gray_picture(in), cv::NORM_INF), 1.0);
  EXPECT_LT(colorfulness(out), 1.0);
}

TEST(ColorizeNet, ConfidenceWeightingKeepsSurePixelsAndGraysUnsureOnes) {
  EXPECT_FLOAT_EQ(confidence_scale(0.3f, 0.f), 1.f);  // off
  EXPECT_FLOAT_EQ(confidence_scale(k_confidence_ref, 3.f), 1.f);
  EXPECT_GT(confidence_scale(0.9f, 2.f), 1.f);
  EXPECT_LT(confidence_scale(0.1f, 2.f), 0.1f);
  // Two pixels with the same mean colour: one sure (one bin), one unsure (that bin among many).
  auto net = testing::random_colorize_net();
  const int k = net->bins().size();
  const int red = net->bins().nearest(40.f, 30.f);
  std::vector<float> z(static_cast<std::size_t>(k) * 2, 0.f);
  z[static_cast<std::size_t>(red) * 2] = 50.f;      // pixel 0: sure
  z[static_cast<std::size_t>(red) * 2 + 1] = 1.f;   // pixel 1: unsure
  const nn::Tensor logits = nn::Tensor::from_vector({1, k, 1, 2}, z);
  Decoding d{1.f, 1.f, 0.f, 0.f, 0.f};
  const cv::Mat plain = net->decode(logits, cv::Size(2, 1), d);
  d.confidence = 2.f;
  const cv::Mat weighted = net->decode(logits, cv::Size(2, 1), d);
  const auto mag = [](const cv::Mat& ab, int x) { return cv::norm(ab.at<cv::Vec2f>(0, x)); };
  EXPECT_GE(mag(weighted, 0), mag(plain, 0) * 3.5);  // confidence 1: scale (1 / 0.5)^2
  EXPECT_LT(mag(weighted, 1), mag(plain, 1) * 0.1);
  // Through colorize: L is kept with the option on.
  net->set_decoding(d);
  const cv::Mat in = colour_picture(45, 33, 8);
  cv::Mat out;
  ASSERT_TRUE(net->colorize(in, 1.f, out).ok());
  EXPECT_LT(mean_l_difference(in, out), 1.0);
}

TEST(ColorizeNet, FlipAveragingIsMirrorSymmetric) {
  // The prediction for the mirror image is the mirror of the prediction, which a plain network
  // does not guarantee; the output keeps L.
  auto net = testing::random_colorize_net();
  cv::Mat l, lm;
  ASSERT_TRUE(lightness(colour_picture(96, 64, 9), l).ok());
  cv::flip(l, lm, 1);
  const nn::Tensor a = net->logits(l, true), b = net->logits(lm, true);
  const auto dims = a.dims();
  ASSERT_EQ(dims, b.dims());
  const std::int64_t k = dims[1], h = dims[2], w = dims[3];
  double worst = 0;
  for (std::int64_t c = 0; c < k; ++c)
    for (std::int64_t y = 0; y < h; ++y)
      for (std::int64_t x = 0; x < w; ++x)
        worst = std::max<double>(worst, std::abs(a.data<float>()[(c * h + y) * w + x] - b.data<float>()[(c * h + y) * w + (w - 1 - x)]));
  EXPECT_LT(worst, 1e-4);
  const nn::Tensor plain = net->logits(l), plain_m = net->logits(lm);
  double asym = 0;
  for (std::int64_t c = 0; c < k; ++c)
    for (std::int64_t x = 0; x < w; ++x)
      asym = std::max<double>(asym, std::abs(plain.data<float>()[c * h * w + x] - plain_m.data<float>()[c * h * w + (w - 1 - x)]));
  EXPECT_GT(asym, 1e-3);
  Decoding d = net->decoding();
  d.flip_average = true;
  net->set_decoding(d);
  cv::Mat out;
  ASSERT_TRUE(net->colorize(colour_picture(37, 29, 9), 1.f, out).ok());
  EXPECT_LT(mean_l_difference(colour_picture(37, 29, 9), out), 1.0);
}

TEST(ColorizeNet, RefusesUnsupportedImages) {
  auto net = testing::random_colorize_net();
  cv::Mat out;
  EXPECT_EQ(net->colorize(cv::Mat(), 1.f, out).code(), StatusCode::invalid_argument);
  EXPECT_EQ(net->colorize(cv::Mat(8, 8, CV_32FC3, cv::Scalar::all(0.5)), 1.f, out).code(), StatusCode::unsupported);
  EXPECT_EQ(net->colorize(cv::Mat(8, 8, CV_8UC2, cv::Scalar::all(5)), 1.f, out).code(), StatusCode::unsupported);
}

TEST(ColorizeNet, SaveLoadRoundTripGivesTheSameOutput) {
  testing::TempDir dir("roundtrip");
  auto net = testing::random_colorize_net();
  net->set_decoding({0.33f, 1.2f, 0.5f, 1.f, 2.f, true});
  const auto path = dir.path / "m.safetensors";
  ASSERT_OK(net->save(path, {}));
  std::unique_ptr<ColorizeNet> loaded;
  const Status st = ColorizeNet::load(path, loaded);
  ASSERT_OK(st);
  EXPECT_FLOAT_EQ(loaded->decoding().temperature, 0.33f);
  EXPECT_FLOAT_EQ(loaded->decoding().saturation, 1.2f);
  EXPECT_FLOAT_EQ(loaded->decoding().prior_correction, 0.5f);
  EXPECT_FLOAT_EQ(loaded->decoding().cast_removal, 1.f);
  EXPECT_FLOAT_EQ(loaded->decoding().confidence, 2.f);
  EXPECT_TRUE(loaded->decoding().flip_average);
  EXPECT_EQ(loaded->bins().size(), net->bins().size());
  const cv::Mat in = colour_picture(50, 45, 7);
  cv::Mat a, b;
  ASSERT_OK(net->colorize(in, 1.f, a));
  ASSERT_OK(loaded->colorize(in, 1.f, b));
  EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0.0);
}

TEST(ColorizeNet, BrokenModelFilesAreErrorsNamingTheFile) {
  testing::TempDir dir("broken");
  auto net = testing::random_colorize_net();
  const auto good = dir.path / "good.safetensors";
  ASSERT_OK(net->save(good, {}));
  std::ifstream in(good, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const auto truncated = dir.path / "truncated.safetensors";
  std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() - 100);
  std::unique_ptr<ColorizeNet> loaded;
  Status st = ColorizeNet::load(truncated, loaded);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("truncated.safetensors"), std::string::npos) << st.message();
  st = ColorizeNet::load(dir.path / "missing.safetensors", loaded);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("missing.safetensors"), std::string::npos) << st.message();
  EXPECT_FALSE(loaded);
}

TEST(ColorizeStage, GrayFramesBecomeColourWithTheInputLightness) {
  testing::TempDir dir("stage");
  auto net = testing::random_colorize_net();
  const auto path = dir.path / "m.safetensors";
  ASSERT_OK(net->save(path, {}));
  ColorizeStage stage;
  Params p = testing::defaults(ColorizeStage::params());
  p.set("model", path.string());
  StageContext ctx;
  ASSERT_OK(stage.configure(p, ctx));
  StreamInfo in_info, out_info;
  in_info.type = CV_8UC1;
  ASSERT_OK(stage.open(in_info, out_info));
  EXPECT_EQ(out_info.type, CV_8UC3);
  Frame f;
  cv::cvtColor(colour_picture(41, 29, 8), f.image, cv::COLOR_BGR2GRAY);
  const cv::Mat gray = f.image.clone();
  ASSERT_OK(stage.process(f));
  EXPECT_EQ(f.image.type(), CV_8UC3);
  EXPECT_LT(mean_l_difference(gray, f.image), 1.0);
  Frame bad;
  bad.image = cv::Mat(4, 4, CV_32FC1, cv::Scalar(0));
  EXPECT_EQ(stage.process(bad).code(), StatusCode::unsupported);
  p.set("model", (dir.path / "nope.safetensors").string());
  ColorizeStage missing;
  EXPECT_FALSE(missing.configure(p, ctx).ok());
}

}  // namespace
}  // namespace cvpipe::colorize
