// Training: a tiny run in which the losses move and the weights change; checkpoint / resume
// continues exactly; the digits reader; the BCE loss.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "digits_dataset.hpp"
#include "gan_loss.hpp"
#include "gan_trainer.hpp"
#include "latent.hpp"

namespace cvpipe::gan {
namespace {

const DigitsDataset& train_digits() {
  static DigitsDataset ds = [] {
    DigitsDataset d;
    const Status s = DigitsDataset::load(DigitsDataset::default_file(), DigitsSplit{0, 9}, 32, d);
    if (!s.ok()) throw std::runtime_error(s.message());
    return d;
  }();
  return ds;
}

GanArch tiny_arch() {
  GanArch a;
  a.z_dim = 16;
  a.g_channels = 32;
  a.d_channels = 8;
  return a;
}

TrainOptions tiny_options() {
  TrainOptions o;
  o.batch = 16;
  o.seed = 3;
  return o;
}

std::vector<float> flat_params(nn::Layer& net) {
  std::vector<float> out;
  for (nn::Parameter* p : net.parameters()) {
    const auto v = p->value.to_vector();
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

double dist(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += std::abs(a[i] - b[i]);
  return s;
}

TEST(DigitsDataset, ReadsCellsLabelsAndRange) {
  const auto& d = train_digits();
  ASSERT_EQ(d.size(), 500u);  // 50 rows x 10 columns
  EXPECT_EQ(d.label(0), 0);
  EXPECT_EQ(d.label(499), 9);
  EXPECT_EQ(d.label(5 * 10 * 3), 3);  // first cell of row 15 = class 3
  EXPECT_EQ(d.cell(0).size(), cv::Size(20, 20));
  EXPECT_EQ(d.image(0).size(), cv::Size(32, 32));
  double lo, hi;
  cv::minMaxLoc(d.image(0), &lo, &hi);
  EXPECT_GE(lo, -1.0);
  EXPECT_LE(hi, 1.0);
  EXPECT_NEAR(lo, -1.0, 1e-6);  // black background
  EXPECT_GT(hi, 0.5);           // white ink
  // pad: the 20x20 cell sits unchanged in the middle, the 6-pixel border is black.
  EXPECT_EQ(cv::norm(to_8bit(d.image(7))(cv::Rect(6, 6, 20, 20)), d.cell(7), cv::NORM_INF), 0.0);
  EXPECT_EQ(cv::countNonZero(d.image(7).row(0) > -1.0f), 0);
  EXPECT_EQ(cv::norm(cell_from_image(to_8bit(d.image(7)), 20, DigitFit::pad), d.cell(7), cv::NORM_INF), 0.0);
  DigitsDataset resized;
  ASSERT_TRUE(DigitsDataset::load(DigitsDataset::default_file(), DigitsSplit{0, 0}, 32, resized, DigitFit::resize).ok());
  EXPECT_EQ(resized.size(), 50u);
  // resize stretches the digit by 32/20 per side: its ink covers ~2.56x the pixels of the padded copy,
  // which keeps the 6-pixel border black.
  const DigitsDataset& padded = train_digits();
  ASSERT_EQ(padded.cell(0).size(), resized.cell(0).size());
  EXPECT_EQ(cv::norm(padded.cell(0), resized.cell(0), cv::NORM_INF), 0.0);  // the same digit
  const double ink_resized = cv::countNonZero(resized.image(0) > 0.0f), ink_padded = cv::countNonZero(padded.image(0) > 0.0f);
  EXPECT_GT(ink_resized, 1.8 * ink_padded);
  EXPECT_LT(ink_resized, 3.5 * ink_padded);
  std::vector<float> buf;
  d.gather({0, 1}, buf);
  EXPECT_EQ(buf.size(), 2u * 32 * 32);

  DigitsDataset bad;
  EXPECT_EQ(DigitsDataset::load("/nonexistent/digits.png", DigitsSplit::train(), 32, bad).code(), StatusCode::not_found);
  EXPECT_FALSE(DigitsDataset::load(DigitsDataset::default_file(), DigitsSplit{60, 40}, 32, bad).ok());
}

TEST(GanLoss, BceWithLogitsValuesAndGradients) {
  const std::vector<float> x{-30.f, -1.f, 0.f, 2.f, 40.f};
  const std::vector<float> t{0.f, 1.f, 0.9f, 0.f, 1.f};
  const LogitLoss l = bce_with_logits(x, t);
  double expect = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double s = 1 / (1 + std::exp(-double(x[i])));
    expect += -(t[i] * std::log(std::max(s, 1e-300)) + (1 - t[i]) * std::log(std::max(1 - s, 1e-300)));
  }
  EXPECT_NEAR(l.loss, expect / x.size(), 1e-5);
  for (std::size_t i = 0; i < x.size(); ++i) {
    auto xp = x, xm = x;
    xp[i] += 1e-2f;
    xm[i] -= 1e-2f;
    const double fd = (bce_with_logits(xp, t).loss - bce_with_logits(xm, t).loss) / 2e-2;
    EXPECT_NEAR(l.grad[i], fd, 1e-4) << i;
  }
  EXPECT_TRUE(std::isfinite(bce_with_logits({1000.f}, 0.f).loss));
  EXPECT_THROW(bce_with_logits({1.f, 2.f}, std::vector<float>{1.f, 0.f, 1.f}), std::invalid_argument);
}

TEST(GanTrainer, TinyRunMovesBothLossesAndWeights) {
  GanTrainer tr(tiny_arch(), tiny_options(), train_digits());
  const auto g0 = flat_params(tr.generator().net()), d0 = flat_params(tr.discriminator().net());
  std::vector<nn::Metrics> hist;
  for (int i = 0; i < 30; ++i) hist.push_back(tr.step());
  EXPECT_EQ(tr.steps_done(), 30);
  auto mean = [&](int from, int to, int k) {
    double s = 0;
    for (int i = from; i < to; ++i) s += hist[i][k].second;
    return s / (to - from);
  };
  for (const auto& m : hist)
    for (const auto& kv : m) ASSERT_TRUE(std::isfinite(kv.second)) << kv.first;
  // The losses move: early and late averages differ clearly.
  EXPECT_GT(std::abs(mean(0, 3, 0) - mean(27, 30, 0)), 0.05) << "d_loss";
  EXPECT_GT(std::abs(mean(0, 3, 1) - mean(27, 30, 1)), 0.05) << "g_loss";
  // The discriminator learns to separate real from fake at first.
  EXPECT_GT(mean(5, 15, 2), mean(5, 15, 3)) << "D(x) should exceed D(G(z))";
  EXPECT_GT(dist(g0, flat_params(tr.generator().net())), 1e-3);
  EXPECT_GT(dist(d0, flat_params(tr.discriminator().net())), 1e-3);
}

TEST(GanTrainer, ResumeFromCheckpointContinuesExactly) {
  const auto dir = std::filesystem::temp_directory_path() / ("gan_trainer_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  GanTrainer a(tiny_arch(), tiny_options(), train_digits());
  for (int i = 0; i < 4; ++i) a.step();
  ASSERT_TRUE(a.save_checkpoint(dir / "ck.safetensors").ok());
  const nn::Metrics ma = a.step();

  GanTrainer b(tiny_arch(), tiny_options(), train_digits());
  const Status s = b.load_checkpoint(dir / "ck.safetensors");
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(b.steps_done(), 4);
  const nn::Metrics mb = b.step();
  for (std::size_t k = 0; k < ma.size(); ++k) EXPECT_DOUBLE_EQ(ma[k].second, mb[k].second) << ma[k].first;
  EXPECT_EQ(dist(flat_params(a.generator().net()), flat_params(b.generator().net())), 0.0);

  // EMA weights differ from the training weights and are undone exactly.
  const auto w = flat_params(a.generator().net());
  a.use_ema_weights();
  EXPECT_GT(dist(w, flat_params(a.generator().net())), 0.0);
  a.restore_training_weights();
  EXPECT_EQ(dist(w, flat_params(a.generator().net())), 0.0);

  // A checkpoint of another architecture is refused.
  GanArch other = tiny_arch();
  other.g_channels = 16;
  GanTrainer c(other, tiny_options(), train_digits());
  EXPECT_FALSE(c.load_checkpoint(dir / "ck.safetensors").ok());
  std::filesystem::remove_all(dir);
}

TEST(GanTrainer, BatchNormRecalibrationLeavesEvalMode) {
  GanTrainer tr(tiny_arch(), tiny_options(), train_digits());
  for (int i = 0; i < 3; ++i) tr.step();
  tr.recalibrate_bn(5, 1);
  EXPECT_FALSE(tr.generator().net().training());
  const auto imgs = tr.generator().generate(latent_batch(1, 0, 2, 16, 0), one_hot({1, 2}, 10), 2);
  EXPECT_EQ(imgs.size(), 2u);
}

}  // namespace
}  // namespace cvpipe::gan
