// make_unet: output shapes for every output level, gated blocks, JSON round trip, and that a
// gated U-Net's gradients (through Multiply) match finite differences.
#include <gtest/gtest.h>

#include "cvpipe/nn/layers.hpp"
#include "cvpipe/nn/random.hpp"
#include "cvpipe/nn/unet.hpp"
#include "support/nn_test_util.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::nn {
namespace {
using namespace testing;

Tensor random_input(const Dims& dims, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(static_cast<std::size_t>(product(dims)));
  for (auto& x : v) x = static_cast<float>(uniform01(rng));
  return Tensor::from_vector(dims, v);
}

TEST(UNet, OutputShapeFollowsOutputLevel) {
  for (int level : {0, 1, 2}) {
    UNetOptions o{.in_channels = 4, .out_channels = 3, .base_width = 8, .max_width = 32, .levels = 3, .output_level = level};
    auto net = make_unet(o);
    EXPECT_EQ(unet_multiple(o), 8);
    const Tensor y = net->forward(random_input({2, 4, 32, 48}, 1));
    EXPECT_EQ(y.dims(), (Dims{2, 3, 32 >> level, 48 >> level})) << "output_level " << level;
  }
}

TEST(UNet, ParameterNamesAreStable) {
  auto net = make_unet({.in_channels = 1, .out_channels = 2, .base_width = 4, .levels = 2, .gated = true,
                        .bottleneck_dilations = {2}});
  std::vector<std::string> names;
  for (auto& p : net->named_parameters()) names.push_back(p.name);
  auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  EXPECT_TRUE(has("enc0.0.feature.weight"));
  EXPECT_TRUE(has("enc0.0.gate.weight"));
  EXPECT_TRUE(has("context0.feature.weight"));
  EXPECT_TRUE(has("dec0.1.gate.bias"));
  EXPECT_TRUE(has("head.weight"));
}

TEST(UNet, JsonRoundTripAndErrors) {
  UNetOptions o{.in_channels = 4, .out_channels = 3, .base_width = 24, .max_width = 96, .levels = 4, .output_level = 1,
                .batch_norm = false, .gated = true, .transpose_up = false, .bottleneck_dilations = {2, 4, 8}};
  UNetOptions back;
  ASSERT_OK(unet_from_json(unet_to_json(o), "m.safetensors", back));
  EXPECT_EQ(unet_to_json(back), unet_to_json(o));
  Status st = unet_from_json(R"({"levels": 0})", "m.safetensors", back);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("m.safetensors"), std::string::npos) << st.message();
  EXPECT_FALSE(unet_from_json(R"({"depth": 3})", "m", back).ok());
  EXPECT_FALSE(unet_from_json("[1]", "m", back).ok());
}

TEST(UNet, GatedNetworkGradientsMatchFiniteDifferences) {
  auto net = make_unet({.in_channels = 2, .out_channels = 2, .base_width = 3, .max_width = 6, .levels = 2,
                        .batch_norm = false, .gated = true, .bottleneck_dilations = {2}});
  randomize(*net, 300);
  grad_check(*net, Tensor::from_vector({2, 2, 8, 8}, random_vec(256, 301)),
             {.eps = 1e-3f, .atol = 4e-3, .rtol = 3e-2, .max_points = 12});
}

TEST(Multiply, ProductAndGradients) {
  Graph g(2);
  g.emplace<Multiply>("m", {g.input(0), g.input(1)});
  const Tensor a = Tensor::from_vector({1, 2, 1, 2}, {1.f, 2.f, 3.f, -4.f});
  const Tensor b = Tensor::from_vector({1, 2, 1, 2}, {0.5f, -1.f, 2.f, 0.25f});
  const Tensor xs[] = {a, b};
  EXPECT_EQ(g.forward_n(xs).to_vector(), (std::vector<float>{0.5f, -2.f, 6.f, -1.f}));
  g.set_needs_input_grad(true);
  g.forward_n(xs);
  auto d = g.backward_n(Tensor::from_vector({1, 2, 1, 2}, {1.f, 1.f, 2.f, 2.f}));
  EXPECT_EQ(d[0].to_vector(), (std::vector<float>{0.5f, -1.f, 4.f, 0.5f}));
  EXPECT_EQ(d[1].to_vector(), (std::vector<float>{1.f, 2.f, 6.f, -8.f}));
  Multiply m;
  EXPECT_THROW(m.output_dims({{1, 2, 1, 2}, {1, 3, 1, 2}}), Error);
}

}  // namespace
}  // namespace cvpipe::nn
