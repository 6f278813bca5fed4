// The CNN detector's pieces against hand-computed cases: letterbox and stride-padding maps, box
// decoding, target encoding (and decoding it back), the focal loss gradient against finite
// differences, model file round trip and refusals, and a tiny training run whose loss falls.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <sstream>

#include "centernet.hpp"
#include "commands.hpp"
#include "cvpipe/nn/safetensors.hpp"
#include "cvpipe/testing/status_matchers.hpp"
#include "support/process.hpp"
#include "test_util.hpp"

namespace cvpipe::detect {
namespace {

void expect_box(const cv::Rect2f& got, const cv::Rect2f& want, float tol = 1e-4f) {
  EXPECT_NEAR(got.x, want.x, tol);
  EXPECT_NEAR(got.y, want.y, tol);
  EXPECT_NEAR(got.width, want.width, tol);
  EXPECT_NEAR(got.height, want.height, tol);
}

TEST(CenterNetInput, StridePaddingKeepsPixelsAndPadsRightAndBottom) {
  const InputMapping m = plan_input({333, 250}, {}, 32);
  EXPECT_EQ(m.input, cv::Size(352, 256));
  EXPECT_EQ(m.scale, 1.0);
  EXPECT_EQ(m.pad_x, 0);
  EXPECT_EQ(m.pad_y, 0);
  expect_box(m.to_image({10, 20, 30, 40}), {10, 20, 30, 40});
  cv::Mat img(250, 333, CV_8UC3, cv::Scalar(1, 2, 3));
  const cv::Mat in = map_input(img, m);
  EXPECT_EQ(in.at<cv::Vec3b>(249, 332), cv::Vec3b(1, 2, 3));
  EXPECT_EQ(in.at<cv::Vec3b>(255, 351), cv::Vec3b(114, 114, 114));
}

TEST(CenterNetInput, LetterboxScalesToFitAndCentres) {
  // 640x480 into 320x320: scale 0.5, the image is 320x240 at y = 40.
  const InputMapping m = plan_input({640, 480}, {320, 320}, 32);
  EXPECT_EQ(m.input, cv::Size(320, 320));
  EXPECT_DOUBLE_EQ(m.scale, 0.5);
  EXPECT_EQ(m.pad_x, 0);
  EXPECT_EQ(m.pad_y, 40);
  expect_box(m.to_image({10, 50, 20, 30}), {20, 20, 40, 60});
  const cv::Mat in = map_input(cv::Mat(480, 640, CV_8UC3, cv::Scalar(9, 9, 9)), m);
  EXPECT_EQ(in.at<cv::Vec3b>(39, 160), cv::Vec3b(114, 114, 114));
  EXPECT_EQ(in.at<cv::Vec3b>(40, 160), cv::Vec3b(9, 9, 9));
  EXPECT_EQ(in.at<cv::Vec3b>(279, 160), cv::Vec3b(9, 9, 9));
  EXPECT_EQ(in.at<cv::Vec3b>(280, 160), cv::Vec3b(114, 114, 114));
  // A tall image: 100x400 into 256x256 (sides rounded up to 32): scale 0.64, x offset (256-64)/2.
  const InputMapping t = plan_input({100, 400}, {250, 256}, 32);
  EXPECT_EQ(t.input, cv::Size(256, 256));
  EXPECT_DOUBLE_EQ(t.scale, 0.64);
  EXPECT_EQ(t.pad_x, 96);
  expect_box(t.to_image({96, 0, 64, 256}), {0, 0, 100, 400});
}

TEST(CenterNetDecode, PeakOffsetAndSizeGiveTheBox) {
  const int h = 6, w = 8, classes = 3;
  std::vector<float> out(static_cast<std::size_t>((classes + 4) * h * w), -10.f);
  const std::size_t plane = h * w, at = 3 * w + 5;  // cell x 5, y 3
  std::fill(out.begin() + classes * plane, out.end(), 0.f);
  out[2 * plane + at] = 2.f;  // class 2, sigmoid(2) = 0.8808
  out[2 * plane + at + 1] = 1.f;  // a neighbour: not a peak
  out[classes * plane + at] = 0.5f;
  out[(classes + 1) * plane + at] = 0.25f;
  out[(classes + 2) * plane + at] = std::log(4.f);
  out[(classes + 3) * plane + at] = std::log(2.f);
  const auto d = decode_detections(out.data(), h, w, {"a", "b", "c"}, 0.3f, 10);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].class_id, 2);
  EXPECT_EQ(d[0].label, "c");
  EXPECT_NEAR(d[0].score, 1 / (1 + std::exp(-2.f)), 1e-6);
  // centre ((5 + 0.5) * 4, (3 + 0.25) * 4) = (22, 13), size 16 x 8.
  expect_box(d[0].box, {14, 9, 16, 8});
  EXPECT_TRUE(decode_detections(out.data(), h, w, {"a", "b", "c"}, 0.9f, 10).empty()) << "below min_score";
}

TEST(CenterNetTargets, EncodedTargetsDecodeBackToTheBoxes) {
  const std::vector<TargetBox> boxes = {{{10, 12, 20, 30}, 1}, {{60, 8, 16, 16}, 0}};
  const cv::Size grid(24, 16);
  const cv::Mat t = encode_targets(boxes, 2, grid);
  ASSERT_EQ(t.size[0], 2 + 5);
  // A perfect network: high logits exactly at the centres, the regression planes as encoded.
  const std::size_t plane = grid.area();
  std::vector<float> out(static_cast<std::size_t>(6 * plane));
  const float* tv = t.ptr<float>();
  for (std::size_t k = 0; k < 2 * plane; ++k) out[k] = tv[k] >= 1.f ? 5.f : -5.f;
  for (std::size_t k = 0; k < 4 * plane; ++k) out[2 * plane + k] = tv[2 * plane + k];
  float peaks = 0;
  for (std::size_t k = 0; k < plane; ++k) peaks += tv[6 * plane + k];
  EXPECT_EQ(peaks, 2.f) << "one mask cell per box";
  auto d = decode_detections(out.data(), grid.height, grid.width, {"x", "y"}, 0.5f, 10);
  ASSERT_EQ(d.size(), 2u);
  std::sort(d.begin(), d.end(), [](const Detection& a, const Detection& b) { return a.class_id > b.class_id; });
  expect_box(d[0].box, boxes[0].box, 1e-3f);
  expect_box(d[1].box, boxes[1].box, 1e-3f);
  // The Gaussian: 1 at the centre cell, smaller around it, never above 1.
  const float* heat1 = tv + plane;
  const int cx = 5, cy = 6;  // (10 + 10) / 4, (12 + 15) / 4
  EXPECT_EQ(heat1[cy * grid.width + cx], 1.f);
  EXPECT_GT(heat1[cy * grid.width + cx + 1], 0.f);
  EXPECT_LT(heat1[cy * grid.width + cx + 1], 1.f);
}

TEST(CenterNetLoss, GradientMatchesFiniteDifferences) {
  const int n = 2, classes = 2, h = 4, w = 5;
  const std::vector<TargetBox> boxes = {{{2, 3, 8, 6}, 0}, {{9, 5, 6, 9}, 1}};
  const cv::Mat t = encode_targets(boxes, classes, {w, h});
  std::vector<float> targets(t.ptr<float>(), t.ptr<float>() + t.total());
  targets.insert(targets.end(), targets.begin(), targets.end());
  std::vector<float> out(static_cast<std::size_t>(n * (classes + 4) * h * w));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(std::sin(0.7 * i) * 1.5);
  std::vector<float> grad, unused;
  center_loss(out, targets, n, classes, h, w, grad, 0.5);
  for (std::size_t i = 0; i < out.size(); i += 7) {
    const float eps = 1e-3f;
    std::vector<float> plus = out, minus = out;
    plus[i] += eps;
    minus[i] -= eps;
    const double numeric = (center_loss(plus, targets, n, classes, h, w, unused, 0.5).total -
                            center_loss(minus, targets, n, classes, h, w, unused, 0.5).total) / (2 * eps);
    EXPECT_NEAR(grad[i], numeric, 2e-3 + 2e-2 * std::abs(numeric)) << "output " << i;
  }
}

CenterNetConfig tiny_config() {
  CenterNetConfig c;
  c.class_names = {"0", "1"};
  c.stem_width = 4;
  c.unet.in_channels = 8;
  c.unet.base_width = 8;
  c.unet.max_width = 16;
  c.unet.levels = 2;
  return c;
}

TEST(CenterNetModel, SaveLoadRoundTripAndRefusals) {
  cvpipe::test::TempDir dir;
  CenterNet net(tiny_config());
  net.initialize(5);
  const cv::Mat img(70, 90, CV_8UC3, cv::Scalar(30, 200, 90));
  const auto before = net.detect(img, {}, 0.0f, 5);
  ASSERT_OK(net.save(dir / "m.safetensors"));
  std::unique_ptr<CenterNet> back;
  ASSERT_OK(CenterNet::load(dir / "m.safetensors", back));
  EXPECT_EQ(back->config().class_names, tiny_config().class_names);
  EXPECT_EQ(back->architecture_json(), net.architecture_json());
  const auto after = back->detect(img, {}, 0.0f, 5);
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i].score, before[i].score);
  for (const auto& d : after) EXPECT_TRUE((d.box & cv::Rect2f(0, 0, 90, 70)) == d.box) << "boxes clipped to the image";
  // Truncated file: an error naming it.
  std::filesystem::resize_file(dir / "m.safetensors", std::filesystem::file_size(dir / "m.safetensors") / 2);
  const Status st = CenterNet::load(dir / "m.safetensors", back);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("m.safetensors"), std::string::npos) << st.message();
}

TEST(CenterNetTrain, TinyRunOnDigitScenesLowersTheLoss) {
  if (!std::filesystem::exists(test::sample("digits.png"))) GTEST_SKIP() << "opencv-doc samples not installed";
  cvpipe::test::TempDir dir;
  const Params p = test::params_from(train_params(), {{"steps", "60"}, {"batch", "4"}, {"crop_width", "96"},
                                                      {"crop_height", "96"}, {"stem_width", "8"}, {"base_width", "12"},
                                                      {"max_width", "24"}, {"levels", "2"}, {"warmup", "5"},
                                                      {"lr", "0.004"}, {"val_scenes", "0"}, {"scenes", "16"},
                                                      {"log_every", "10"}, {"eval_every", "0"},
                                                      {"model", (dir / "m.safetensors").string()}});
  std::atomic<bool> stop{false};
  CommandContext ctx;
  ctx.out_dir = dir.path();
  ctx.quiet = true;
  ctx.stop = &stop;
  std::string output;
  ASSERT_OK(run_train(p, ctx, output));
  // metrics.csv: step,epoch,lr,loss,...
  std::ifstream csv(dir / "metrics.csv");
  std::string line;
  std::getline(csv, line);
  ASSERT_EQ(line.rfind("step,epoch,lr,loss,", 0), 0u) << line;
  std::vector<double> losses;
  while (std::getline(csv, line)) {
    std::stringstream fields(line);
    std::string field;
    for (int i = 0; i < 4; ++i) std::getline(fields, field, ',');
    losses.push_back(std::stod(field));
  }
  ASSERT_GE(losses.size(), 3u);
  EXPECT_LT(losses.back(), 0.5 * losses.front()) << output;
  std::unique_ptr<CenterNet> trained;
  ASSERT_OK(CenterNet::load(dir / "m.safetensors", trained));
}

}  // namespace
}  // namespace cvpipe::detect
