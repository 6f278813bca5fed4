// Training: GanModel on nn::Trainer: a tiny run in which the losses move, the weights change and
// the metrics are logged; a run stopped by its stop token and resumed equals an uninterrupted one;
// the digits reader; the BCE loss.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "digits_dataset.hpp"
#include "gan_loss.hpp"
#include "gan_model.hpp"
#include "cvpipe/testing/status_matchers.hpp"
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
  ASSERT_OK(DigitsDataset::load(DigitsDataset::default_file(), DigitsSplit{0, 0}, 32, resized, DigitFit::resize));
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

// The plugin's training = GanModel (networks + step) on nn::Trainer, as the train command runs it.
struct GanRun {
  GanModel model;
  nn::DataLoader loader;
  nn::Trainer trainer;
  std::atomic<bool> stop{false};
  std::vector<nn::Metrics> history;

  GanRun(const GanArch& arch, const std::filesystem::path& out, std::int64_t steps, std::int64_t stop_after = -1)
      : model(arch, tiny_options()),
        loader(as_nn_dataset(std::shared_ptr<const DigitsDataset>(&train_digits(), [](const DigitsDataset*) {})),
               {.batch_size = static_cast<std::size_t>(tiny_options().batch), .seed = tiny_options().seed}),
        trainer({.steps = steps, .log_every = 1, .checkpoint_every = 0, .out_dir = out, .name = "gan test", .quiet = true,
                 .stop = &stop, .seed = tiny_options().seed}) {
    model.attach(trainer);
    trainer.add_loader("real", loader);
    trainer.set_step([this, stop_after](const nn::StepContext& s) {
      nn::Metrics m = model.step(loader.next(), s.step);
      history.push_back(m);
      if (s.step == stop_after) stop.store(true);
      return m;
    });
  }
};

TEST(GanTrainer, TinyRunMovesBothLossesAndWeightsAndLogsThem) {
  const auto dir = std::filesystem::temp_directory_path() / ("gan_tiny_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  GanRun run(tiny_arch(), dir, 30);
  const auto g0 = flat_params(run.model.generator().net()), d0 = flat_params(run.model.discriminator().net());
  const nn::TrainResult r = run.trainer.run();
  ASSERT_OK(r.to_status());
  EXPECT_EQ(r.steps, 30);
  const auto& hist = run.history;
  ASSERT_EQ(hist.size(), 30u);
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
  EXPECT_GT(dist(g0, flat_params(run.model.generator().net())), 1e-3);
  EXPECT_GT(dist(d0, flat_params(run.model.discriminator().net())), 1e-3);
  // The trainer logged every step's losses to metrics.csv and drew the curves.
  nn::MetricsLog csv;
  ASSERT_OK(csv.load(dir / "metrics.csv"));
  EXPECT_EQ(csv.columns(), (std::vector<std::string>{"d_loss", "g_loss", "d_real", "d_fake"}));
  ASSERT_EQ(csv.rows().size(), 30u);
  EXPECT_NEAR(csv.rows().back().values.at("g_loss"), hist.back()[1].second, 1e-4);
  EXPECT_TRUE(std::filesystem::exists(dir / "curves.png"));
  // The EMA generator differs from the training weights and is undone exactly.
  const auto w = flat_params(run.model.generator().net());
  {
    nn::WeightEma::ApplyScope use(*run.model.ema());
    EXPECT_GT(dist(w, flat_params(run.model.generator().net())), 0.0);
  }
  EXPECT_EQ(dist(w, flat_params(run.model.generator().net())), 0.0);
  std::filesystem::remove_all(dir);
}

TEST(GanTrainer, InterruptedAndResumedEqualsUninterrupted) {
  const auto base = std::filesystem::temp_directory_path() / ("gan_resume_" + std::to_string(::getpid()));
  std::filesystem::remove_all(base);
  GanRun a(tiny_arch(), base / "a", 8);
  ASSERT_OK(a.trainer.run().to_status());

  GanRun b(tiny_arch(), base / "b", 8, /*stop_after=*/3);  // Ctrl-C during step 3
  const nn::TrainResult rb = b.trainer.run();
  EXPECT_STATUS(rb.to_status(), cancelled);
  EXPECT_EQ(rb.steps, 4);
  ASSERT_TRUE(std::filesystem::exists(base / "b" / "checkpoint.safetensors"));

  GanRun c(tiny_arch(), base / "b", 8);  // a fresh process
  ASSERT_OK(c.trainer.resume(base / "b" / "checkpoint.safetensors"));
  EXPECT_EQ(c.trainer.step(), 4);
  ASSERT_OK(c.trainer.run().to_status());
  ASSERT_EQ(c.history.size(), 4u);
  for (std::size_t k = 0; k < 4; ++k)
    for (std::size_t i = 0; i < c.history[k].size(); ++i)
      EXPECT_DOUBLE_EQ(a.history[4 + k][i].second, c.history[k][i].second) << "step " << 4 + k << " " << c.history[k][i].first;
  EXPECT_EQ(dist(flat_params(a.model.generator().net()), flat_params(c.model.generator().net())), 0.0);
  EXPECT_EQ(dist(flat_params(a.model.discriminator().net()), flat_params(c.model.discriminator().net())), 0.0);
  for (std::size_t i = 0; i < a.model.generator().net().parameters().size(); ++i)
    EXPECT_EQ(a.model.ema()->average(i), c.model.ema()->average(i)) << "EMA tensor " << i;

  // A checkpoint of another architecture is refused, naming the file.
  GanArch other = tiny_arch();
  other.g_channels = 16;
  GanRun d(other, base / "d", 8);
  const Status s = d.trainer.resume(base / "b" / "checkpoint.safetensors");
  EXPECT_STATUS(s, invalid_argument);
  EXPECT_NE(s.message().find("checkpoint.safetensors"), std::string::npos) << s.message();
  std::filesystem::remove_all(base);
}

TEST(GanTrainer, BatchNormRecalibrationLeavesEvalMode) {
  GanModel model(tiny_arch(), tiny_options());
  model.recalibrate_bn(5, 1);
  EXPECT_FALSE(model.generator().net().training());
  const auto imgs = model.generator().generate(latent_batch(1, 0, 2, 16, 0), one_hot({1, 2}, 10), 2);
  EXPECT_EQ(imgs.size(), 2u);
}

}  // namespace
}  // namespace cvpipe::gan
