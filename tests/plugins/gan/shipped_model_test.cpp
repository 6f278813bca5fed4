// The shipped model (models/gan_digits.safetensors): loads, draws digit-like images, and — when the
// classify plugin's digits model is present — is recognised by it. Skipped when the files are absent.
#include <gtest/gtest.h>

#include <filesystem>

#include "gan_metrics.hpp"
#include "latent.hpp"
#include "model_file.hpp"

namespace cvpipe::gan {
namespace {

const std::filesystem::path kModels = std::filesystem::path(CVPIPE_SOURCE_DIR) / "models";

TEST(ShippedModel, LoadsAndDrawsWhiteOnBlackDigits) {
  const auto path = kModels / "gan_digits.safetensors";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not trained yet";
  GeneratorFile f;
  const Status s = load_generator(path, f);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(f.generator->arch().num_classes, 10);
  EXPECT_TRUE(f.metadata.count("training"));
  const auto imgs = f.generator->generate(latent_batch(0, 0, 10, f.generator->arch().z_dim, 0),
                                          one_hot({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 10), 10);
  for (const auto& im : imgs) {
    // Mostly black background (-1) with some bright ink (a thin "1" in a padded 20x20 cell covers
    // ~2% of the 32x32 image); the border is dark.
    const double ink = cv::countNonZero(im > 0.0) / static_cast<double>(im.total());
    EXPECT_GT(ink, 0.01);
    EXPECT_LT(ink, 0.5);
    EXPECT_LT(cv::mean(im.row(0))[0], -0.8);
  }
}

TEST(ShippedModel, MeetsTheClassifierTargetsOnASmallSample) {
  const auto model = kModels / "gan_digits.safetensors", cls = kModels / "classify_digits.safetensors";
  if (!std::filesystem::exists(model) || !std::filesystem::exists(cls) || !classifier_available())
    GTEST_SKIP() << "needs " << model << " and " << cls;
  GeneratorFile f;
  ASSERT_TRUE(load_generator(model, f).ok());
  std::unique_ptr<GanEvaluator> ev;
  const Status s = GanEvaluator::create(cls, {}, ev);
  ASSERT_TRUE(s.ok()) << s.message();
  GanMetrics m;
  ASSERT_TRUE(ev->evaluate(*f.generator, 200, 0, 0.0, 100, m).ok());
  EXPECT_EQ(m.n, 200);
  EXPECT_GE(m.class_accuracy, 0.9);
  EXPECT_GE(m.confidence, 0.85);
  EXPECT_GE(m.effective_classes, 9.0);
  EXPECT_GT(m.frechet_real_vs_real, 0.0);
  EXPECT_GT(m.frechet_distance, 0.0);
}

}  // namespace
}  // namespace cvpipe::gan
