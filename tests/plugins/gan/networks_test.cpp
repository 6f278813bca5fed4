// Generator / discriminator: output shape and range, determinism, conditioning, model files.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/random.hpp"
#include "cvpipe/nn/safetensors.hpp"
#include "discriminator.hpp"
#include "generator.hpp"
#include "latent.hpp"
#include "model_file.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::gan {
namespace {

GanArch small_arch(DConditioning c = DConditioning::projection) {
  GanArch a;
  a.z_dim = 16;
  a.g_channels = 32;
  a.d_channels = 8;
  a.d_conditioning = c;
  return a;
}

std::unique_ptr<Generator> make_generator(const GanArch& a, std::uint64_t seed) {
  auto g = std::make_unique<Generator>(a);
  nn::Rng rng(seed);
  nn::init_network(g->net(), nn::InitScheme::gan, rng);
  // Fresh BatchNorm statistics (mean 0, var 1) would leave the tiny N(0, 0.02) activations
  // un-normalised in eval mode: give the layers statistics of real forwards first.
  g->train(true);
  for (int k = 0; k < 30; ++k) {
    std::vector<int> labels(16);
    for (int i = 0; i < 16; ++i) labels[i] = (i + k) % 10;
    g->forward(latent_batch(1000 + seed, 16 * k, 16, a.z_dim, 0.0), one_hot(labels, 10), 16);
  }
  g->eval();
  return g;
}

double max_abs_diff(const cv::Mat& a, const cv::Mat& b) { return cv::norm(a, b, cv::NORM_INF); }

// max - min of an image: the scale differences are judged against (freshly initialised networks
// make faint images).
double value_range(const cv::Mat& m) {
  double lo, hi;
  cv::minMaxLoc(m, &lo, &hi);
  return hi - lo;
}

std::filesystem::path temp_dir() {
  return std::filesystem::temp_directory_path() / ("gan_tests_" + std::to_string(::getpid()));
}

class CleanUp : public ::testing::Environment {
 public:
  void TearDown() override { std::filesystem::remove_all(temp_dir()); }
};
const auto* const kCleanUp = ::testing::AddGlobalTestEnvironment(new CleanUp);

std::filesystem::path temp_path(const std::string& name) {
  auto dir = temp_dir();
  std::filesystem::create_directories(dir);
  return dir / name;
}

TEST(Generator, OutputShapeAndTanhRange) {
  const GanArch a = small_arch();
  auto g = make_generator(a, 1);
  for (bool training : {true, false}) {
    g->train(training);
    const int n = 5;
    const auto z = latent_batch(7, 0, n, a.z_dim, 0.0);
    const nn::Tensor y = g->forward(z, one_hot({0, 1, 2, 3, 9}, a.num_classes), n);
    EXPECT_EQ(y.dims(), (nn::Dims{n, 1, 32, 32}));
    const auto v = y.to_vector();
    float lo = 1e9f, hi = -1e9f;
    for (float x : v) {
      ASSERT_TRUE(std::isfinite(x));
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
    EXPECT_GE(lo, -1.f);
    EXPECT_LE(hi, 1.f);
    EXPECT_LT(lo, hi);  // not a constant image
  }
}

TEST(Generator, ScaledWeightsStillSaturateWithinRange) {
  // Large weights drive Tanh into saturation: values must still stay inside [-1, 1].
  const GanArch a = small_arch();
  auto g = make_generator(a, 2);
  for (nn::Parameter* p : g->net().parameters()) {
    float* v = p->value.data<float>();
    for (std::int64_t i = 0; i < p->numel(); ++i) v[i] *= 50.f;
    p->mark_updated();
  }
  g->eval();
  const auto imgs = g->generate(latent_batch(1, 0, 3, a.z_dim, 0.0), one_hot({4, 5, 6}, 10), 3);
  ASSERT_EQ(imgs.size(), 3u);
  for (const auto& im : imgs) {
    double lo, hi;
    cv::minMaxLoc(im, &lo, &hi);
    EXPECT_GE(lo, -1.0);
    EXPECT_LE(hi, 1.0);
    EXPECT_EQ(im.size(), cv::Size(32, 32));
  }
}

TEST(Generator, DeterministicForASeedAndIndependentOfBatch) {
  const GanArch a = small_arch();
  auto g1 = make_generator(a, 3), g2 = make_generator(a, 3);
  g1->eval();
  g2->eval();
  const std::vector<int> labels{7, 7, 2, 5, 0, 1, 8, 3};
  const auto z = latent_batch(42, 0, 8, a.z_dim, 0.0);
  const auto a8 = g1->generate(z, one_hot(labels, 10), 8);
  const auto b8 = g2->generate(z, one_hot(labels, 10), 8);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(max_abs_diff(a8[i], b8[i]), 0.0) << i;
  // Sample 5 alone (eval mode: no batch statistics) gives the same image as inside the batch.
  const auto z5 = latent_vector(42, 5, a.z_dim, 0.0);
  const auto one = g1->generate(z5, one_hot({labels[5]}, 10), 1);
  EXPECT_LT(max_abs_diff(one[0], a8[5]), 1e-5);
  // Another seed gives other images.
  const auto other = g1->generate(latent_batch(43, 0, 8, a.z_dim, 0.0), one_hot(labels, 10), 8);
  EXPECT_GT(max_abs_diff(other[0], a8[0]), 0.1 * value_range(a8[0]));
}

TEST(Generator, ClassVectorReachesTheImage) {
  const GanArch a = small_arch();
  auto g = make_generator(a, 4);
  g->eval();
  const auto z = latent_vector(9, 0, a.z_dim, 0.0);
  std::vector<float> zz;
  for (int c = 0; c < 10; ++c) zz.insert(zz.end(), z.begin(), z.end());
  std::vector<int> labels{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  const auto imgs = g->generate(zz, one_hot(labels, 10), 10);
  const double scale = value_range(imgs[0]);
  ASSERT_GT(scale, 1e-3);
  for (int c = 1; c < 10; ++c) EXPECT_GT(max_abs_diff(imgs[0], imgs[c]), 0.1 * scale) << "class " << c;
}

TEST(Generator, RejectsBadInput) {
  const GanArch a = small_arch();
  Generator g(a);
  EXPECT_THROW(g.forward(std::vector<float>(3), one_hot({1}, 10), 1), nn::Error);
  EXPECT_THROW(one_hot({10}, 10), nn::Error);
  GanArch bad = a;
  bad.image_size = 64;
  EXPECT_THROW(Generator{bad}, std::invalid_argument);
}

class DiscriminatorModes : public ::testing::TestWithParam<DConditioning> {};

TEST_P(DiscriminatorModes, LogitsDependOnLabelAndGradientsFlow) {
  const GanArch a = small_arch(GetParam());
  Discriminator d(a);
  nn::Rng rng(5);
  nn::init_network(d.net(), nn::InitScheme::gan, rng);
  const int n = 4;
  std::vector<float> img(n * 32 * 32);
  for (auto& v : img) v = static_cast<float>(nn::uniform(rng, -1, 1));
  const nn::Tensor x = nn::Tensor::from_vector({n, 1, 32, 32}, img);
  const auto l0 = d.forward(x, {0, 0, 0, 0});
  ASSERT_EQ(l0.size(), 4u);
  const auto l3 = d.forward(x, {3, 3, 3, 3});
  double diff = 0;
  for (int i = 0; i < n; ++i) diff += std::abs(l0[i] - l3[i]);
  EXPECT_GT(diff, 1e-5) << "the class must change the logit";
  d.net().zero_grad();
  const nn::Tensor dx = d.backward({1.f, 1.f, 1.f, 1.f});
  EXPECT_EQ(dx.dims(), (nn::Dims{n, 1, 32, 32}));
  double gx = 0;
  for (float v : dx.to_vector()) gx += std::abs(v);
  EXPECT_GT(gx, 0.0);
  double gw = 0;
  for (nn::Parameter* p : d.net().parameters())
    for (float v : p->grad.to_vector()) gw += std::abs(v);
  EXPECT_GT(gw, 0.0);
  // Without the input gradient (the discriminator's own update) the parameter gradients are the same.
  std::vector<std::vector<float>> grads;
  for (nn::Parameter* p : d.net().parameters()) grads.push_back(p->grad.to_vector());
  d.set_input_grad(false);
  d.forward(x, {3, 3, 3, 3});
  d.net().zero_grad();
  EXPECT_FALSE(d.backward({1.f, 1.f, 1.f, 1.f}).defined());
  const auto params = d.net().parameters();
  for (std::size_t k = 0; k < params.size(); ++k) {
    const auto g = params[k]->grad.to_vector();
    for (std::size_t i = 0; i < g.size(); ++i) ASSERT_NEAR(g[i], grads[k][i], 1e-6f * (1 + std::abs(grads[k][i]))) << k;
  }
  d.set_input_grad(true);
  EXPECT_THROW(d.forward(x, {0, 1}), nn::Error);
  EXPECT_THROW(d.forward(x, {0, 1, 2, 10}), nn::Error);
}

INSTANTIATE_TEST_SUITE_P(All, DiscriminatorModes,
                         ::testing::Values(DConditioning::projection, DConditioning::concat, DConditioning::both),
                         [](const ::testing::TestParamInfo<DConditioning>& info) { return std::string(to_string(info.param)); });

TEST(ModelFile, RoundTripGivesTheSameImages) {
  const GanArch a = small_arch();
  auto g = make_generator(a, 6);
  // Non-trivial BatchNorm statistics.
  g->train(true);
  for (int k = 0; k < 3; ++k) g->forward(latent_batch(k, 0, 8, a.z_dim, 0), one_hot({0, 1, 2, 3, 4, 5, 6, 7}, 10), 8);
  g->eval();
  const auto path = temp_path("roundtrip.safetensors");
  nn::ModelInfo info;
  info.extra["training"] = "{}";
  info.command = "cvpipe train gan.yaml";
  ASSERT_OK(save_generator(path, *g, default_class_names(10), info));
  GeneratorFile f;
  ASSERT_OK(load_generator(path, f));
  EXPECT_EQ(f.generator->arch().to_json(), a.to_json());
  EXPECT_EQ(f.class_names.size(), 10u);
  EXPECT_EQ(f.info.extra.at("training"), "{}");
  EXPECT_EQ(f.info.command, "cvpipe train gan.yaml");
  EXPECT_EQ(f.info.architecture_type(), "cdcgan");
  EXPECT_EQ(f.info.version, nn::cvpipe_version());
  const auto z = latent_batch(11, 0, 4, a.z_dim, 0);
  const auto lab = one_hot({1, 3, 5, 7}, 10);
  const auto x = g->generate(z, lab, 4), y = f.generator->generate(z, lab, 4);
  for (int i = 0; i < 4; ++i) EXPECT_LT(max_abs_diff(x[i], y[i]), 1e-6);
}

TEST(ModelFile, RefusesBadFiles) {
  GeneratorFile f;
  EXPECT_EQ(load_generator(temp_path("missing.safetensors"), f).code(), StatusCode::not_found);

  // Not a model file (no metadata), and a model of another plugin.
  nn::SafeTensors st;
  st.set_f32("x", {2}, std::vector<float>{1, 2});
  const auto other = temp_path("other.safetensors");
  ASSERT_OK(st.save(other));
  Status s = load_generator(other, f);
  EXPECT_STATUS(s, invalid_argument);
  EXPECT_NE(s.message().find("metadata has no 'architecture'"), std::string::npos) << s.message();
  st.metadata["architecture"] = R"({"type":"ffdnet"})";
  ASSERT_OK(st.save(other));
  s = load_generator(other, f);
  EXPECT_NE(s.message().find("not a gan generator (architecture type 'ffdnet'"), std::string::npos) << s.message();

  // A tensor with the wrong shape is named.
  const GanArch a = small_arch();
  auto g = make_generator(a, 7);
  const auto good = temp_path("good.safetensors");
  ASSERT_OK(save_generator(good, *g, default_class_names(10)));
  nn::SafeTensors t;
  ASSERT_OK(nn::SafeTensors::load(good, t));
  t.set_f32("bn1.weight", {3}, std::vector<float>{1, 1, 1});
  const auto bad = temp_path("bad_shape.safetensors");
  ASSERT_OK(t.save(bad));
  s = load_generator(bad, f);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("bn1.weight"), std::string::npos) << s.message();

  // A missing tensor is named; an arch that disagrees with the class names is refused.
  ASSERT_OK(nn::SafeTensors::load(good, t));
  t.erase("deconv4.bias");
  ASSERT_OK(t.save(bad));
  s = load_generator(bad, f);
  EXPECT_NE(s.message().find("deconv4.bias"), std::string::npos) << s.message();
  ASSERT_OK(nn::SafeTensors::load(good, t));
  t.metadata["class_names"] = "[\"a\",\"b\"]";
  ASSERT_OK(t.save(bad));
  EXPECT_FALSE(load_generator(bad, f).ok());
  EXPECT_FALSE(f.generator);
}

}  // namespace
}  // namespace cvpipe::gan
