// The shipped model (models/gan_digits.safetensors): loads, draws digit-like images, and is
// recognised by the shipped digits classifier. A missing committed model is a failure.
#include <gtest/gtest.h>

#include <filesystem>

#include "gan_metrics.hpp"
#include "latent.hpp"
#include "model_file.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::gan {
namespace {

const std::filesystem::path kModels = std::filesystem::path(CVPIPE_SOURCE_DIR) / "models";

TEST(ShippedModel, LoadsAndDrawsWhiteOnBlackDigits) {
  const auto path = kModels / "gan_digits.safetensors";
  GeneratorFile f;
  ASSERT_OK(load_generator(path, f));
  EXPECT_EQ(f.generator->arch().num_classes, 10);
  EXPECT_TRUE(f.info.extra.count("training"));
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
  ASSERT_TRUE(classifier_available()) << "the gan plugin was built without the digits classifier";
  GeneratorFile f;
  ASSERT_OK(load_generator(model, f));
  std::unique_ptr<GanEvaluator> ev;
  ASSERT_OK(GanEvaluator::create(cls, {}, ev));
  GanMetrics m;
  ASSERT_OK(ev->evaluate(*f.generator, 200, 0, 0.0, 100, m));
  EXPECT_EQ(m.n, 200);
  EXPECT_GE(m.class_accuracy, 0.9);
  EXPECT_GE(m.confidence, 0.85);
  EXPECT_GE(m.effective_classes, 9.0);
  EXPECT_GT(m.frechet_real_vs_real, 0.0);
  EXPECT_GT(m.frechet_distance, 0.0);
}

}  // namespace
}  // namespace cvpipe::gan
