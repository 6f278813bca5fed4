// Initialisers: torch fan/gain conventions, distribution statistics, determinism for a seed and
// whole-network schemes (conv/linear/BN handling).
#include "cvpipe/nn/init.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "cvpipe/nn/layers.hpp"
#include "cvpipe/nn/containers.hpp"

namespace cvpipe::nn {
namespace {

struct Stats {
  double mean = 0, std = 0, min = 1e30, max = -1e30;
};
Stats stats(const Parameter& p) {
  const auto v = p.value.to_vector();
  Stats s;
  for (float x : v) {
    s.mean += x;
    s.min = std::min<double>(s.min, x);
    s.max = std::max<double>(s.max, x);
  }
  s.mean /= static_cast<double>(v.size());
  for (float x : v) s.std += (x - s.mean) * (x - s.mean);
  s.std = std::sqrt(s.std / static_cast<double>(v.size()));
  return s;
}

TEST(Init, FansAndGains) {
  EXPECT_EQ(compute_fans({64, 32, 3, 3}).fan_in, 288);
  EXPECT_EQ(compute_fans({64, 32, 3, 3}).fan_out, 576);
  EXPECT_EQ(compute_fans({10, 400}).fan_in, 400);
  EXPECT_NEAR(calculate_gain("relu"), std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(calculate_gain("leaky_relu", 0.2), std::sqrt(2.0 / 1.04), 1e-12);
  EXPECT_NEAR(calculate_gain("tanh"), 5.0 / 3.0, 1e-12);
  EXPECT_THROW(calculate_gain("swish"), std::invalid_argument);
}

TEST(Init, DistributionsMatchTheirParameters) {
  Rng rng(1);
  Parameter w("weight", {128, 64, 3, 3});
  kaiming_normal(w, rng);
  Stats s = stats(w);
  EXPECT_NEAR(s.mean, 0.0, 0.002);
  EXPECT_NEAR(s.std, std::sqrt(2.0 / 576), 0.002);
  kaiming_uniform(w, rng, FanMode::fan_out);
  s = stats(w);
  const double bound = std::sqrt(2.0) * std::sqrt(3.0 / (128 * 9));
  EXPECT_LE(s.max, bound);
  EXPECT_GE(s.min, -bound);
  EXPECT_NEAR(s.max, bound, bound * 0.01);
  xavier_uniform(w, rng);
  s = stats(w);
  EXPECT_NEAR(s.max, std::sqrt(6.0 / (576 + 1152)), 1e-3);
  normal_init(w, rng, 0.0, 0.02);
  s = stats(w);
  EXPECT_NEAR(s.std, 0.02, 0.0005);
  constant_init(w, 0.25f);
  EXPECT_EQ(stats(w).min, 0.25);
}

TEST(Init, SeededAndMarksUpdated) {
  Parameter a("weight", {16, 8}), b("weight", {16, 8});
  Rng r1(42), r2(42), r3(43);
  const auto v0 = a.version;
  kaiming_normal(a, r1);
  kaiming_normal(b, r2);
  EXPECT_EQ(a.value.to_vector(), b.value.to_vector());
  EXPECT_GT(a.version, v0);
  kaiming_normal(b, r3);
  EXPECT_NE(a.value.to_vector(), b.value.to_vector());
}

TEST(Init, NetworkSchemes) {
  Sequential net;
  auto& conv = net.emplace<Conv2d>("conv", 3, 8, 3, 1, 1);
  auto& bn = net.emplace<BatchNorm2d>("bn", 8);
  net.emplace<ReLU>("relu");
  net.emplace<Flatten>("flat");
  auto& fc = net.emplace<Linear>("fc", 8 * 4 * 4, 10);

  Rng rng(7);
  init_network(net, InitScheme::gan, rng);
  EXPECT_NEAR(stats(conv.weight()).std, 0.02, 0.005);
  EXPECT_EQ(stats(*conv.bias()).max, 0.0);
  EXPECT_NEAR(stats(bn.weight()).mean, 1.0, 0.02);
  EXPECT_GT(stats(bn.weight()).std, 0.0);

  init_network(net, InitScheme::torch_default, rng);
  const double fc_bound = 1.0 / std::sqrt(128.0);
  EXPECT_LE(stats(fc.weight()).max, fc_bound);  // kaiming_uniform(a=sqrt 5) bound = 1/sqrt(fan_in)
  EXPECT_LE(stats(*fc.bias()).max, fc_bound);
  EXPECT_GT(stats(*fc.bias()).std, 0.0);
  EXPECT_EQ(stats(bn.weight()).min, 1.0);

  init_network(net, InitScheme::kaiming, rng);
  EXPECT_NEAR(stats(fc.weight()).std, std::sqrt(2.0 / 128), 0.02);
  EXPECT_EQ(stats(*fc.bias()).max, 0.0);

  // Same seed, same network values.
  Sequential other;
  other.emplace<Conv2d>("conv", 3, 8, 3, 1, 1);
  other.emplace<BatchNorm2d>("bn", 8);
  other.emplace<ReLU>("relu");
  other.emplace<Flatten>("flat");
  other.emplace<Linear>("fc", 8 * 4 * 4, 10);
  Rng a(5), b(5);
  init_network(net, InitScheme::kaiming, a);
  init_network(other, InitScheme::kaiming, b);
  auto pa = net.named_parameters(), pb = other.named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) EXPECT_EQ(pa[i].param->value.to_vector(), pb[i].param->value.to_vector()) << pa[i].name;
  EXPECT_EQ(init_scheme_from_name("dcgan"), InitScheme::gan);
  EXPECT_THROW(init_scheme_from_name("orthogonal"), std::invalid_argument);
}

}  // namespace
}  // namespace cvpipe::nn
