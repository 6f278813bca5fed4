// Conv2d, ConvTranspose2d and Linear against the naive reference kernels (f32 tight, bf16 loose)
// on odd shapes, plus finite-difference gradient checks.
#include <gtest/gtest.h>

#include "cvpipe/nn/layers.hpp"
#include "ref/ref.hpp"
#include "support/nn_test_util.hpp"

namespace cvpipe::nn {
namespace {

using namespace testing;
using ref::ConvArgs;
using ref::Shape4;

struct ConvCase {
  const char* label;
  Shape4 x;
  ConvArgs a;
  bool bias;
};

void PrintTo(const ConvCase& c, std::ostream* os) { *os << c.label; }

class ConvVsRef : public ::testing::TestWithParam<std::tuple<ConvCase, DType>> {};

TEST_P(ConvVsRef, ForwardAndBackwardMatchReference) {
  auto [c, dtype] = GetParam();
  if (dtype == DType::bf16 && !bf16_supported()) GTEST_SKIP() << "no native bf16";
  Conv2d conv(c.a.in, c.a.out, c.a.k, c.a.stride, c.a.pad, c.a.dil, c.a.groups, c.bias);
  conv.set_dtype(dtype);
  randomize(conv, 11);
  Vec x = random_vec(static_cast<size_t>(c.x.size()), 3);
  Vec w = conv.weight().value.to_vector();
  Vec b = c.bias ? conv.bias()->value.to_vector() : Vec{};
  const bool lo = dtype == DType::bf16;
  Shape4 ys;
  Vec y_ref = ref::conv2d(lo ? round_bf16(x) : x, c.x, lo ? round_bf16(w) : w, b, c.a, ys);
  Tensor y = conv.forward(Tensor::from_vector({c.x.n, c.x.c, c.x.h, c.x.w}, x));
  ASSERT_EQ(y.dims(), (Dims{ys.n, ys.c, ys.h, ys.w}));
  EXPECT_EQ(y.dtype(), dtype);
  const double tol = lo ? 2e-2 : 1e-4;
  EXPECT_TRUE(close(y.to_vector(), y_ref, tol)) << "forward";

  Vec dy = random_vec(y_ref.size(), 5);
  Vec dx_ref, dw_ref, db_ref;
  ref::conv2d_backward(lo ? round_bf16(x) : x, c.x, lo ? round_bf16(w) : w, c.a, lo ? round_bf16(dy) : dy, ys,
                       dx_ref, dw_ref, db_ref, c.bias);
  conv.zero_grad();
  Tensor dx = conv.backward(Tensor::from_vector(y.dims(), dy));
  EXPECT_TRUE(close(dx.to_vector(), dx_ref, tol)) << "dx";
  EXPECT_TRUE(close(conv.weight().grad.to_vector(), dw_ref, tol)) << "dw";
  if (c.bias) {
    EXPECT_TRUE(close(conv.bias()->grad.to_vector(), db_ref, tol)) << "db";
  }

  // Gradients accumulate across backward calls.
  conv.backward(Tensor::from_vector(y.dims(), dy));
  Vec dw2 = dw_ref;
  for (auto& v : dw2) v *= 2;
  EXPECT_TRUE(close(conv.weight().grad.to_vector(), dw2, tol)) << "dw accumulated";
}

const ConvCase kConvCases[] = {
    {"stride2_pad1", {3, 5, 7, 9}, {5, 4, 3, 2, 1, 1, 1}, true},
    {"dilation2_groups_nobias", {3, 6, 9, 7}, {6, 4, 3, 1, 2, 2, 2}, false},
    {"k5_first_layer", {2, 3, 11, 10}, {3, 6, 5, 1, 0, 1, 1}, true},
    {"depthwise", {2, 8, 6, 5}, {8, 8, 3, 1, 1, 1, 8}, true},
    {"image_side_k4_s2_plain_dx", {3, 1, 8, 9}, {1, 4, 4, 2, 1, 1, 1}, false},
};

INSTANTIATE_TEST_SUITE_P(Nn, ConvVsRef,
                         ::testing::Combine(::testing::ValuesIn(kConvCases), ::testing::Values(DType::f32, DType::bf16)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param).label) +
                                  (std::get<1>(info.param) == DType::bf16 ? "_bf16" : "_f32");
                         });

TEST(Conv2d, SkipsInputGradientWhenNotNeeded) {
  Conv2d conv(3, 4, 3, 1, 1);
  randomize(conv, 1);
  conv.set_needs_input_grad(false);
  Tensor y = conv.forward(Tensor::from_vector({2, 3, 5, 5}, random_vec(150, 2)));
  Tensor dx = conv.backward(Tensor::from_vector(y.dims(), random_vec(static_cast<size_t>(y.numel()), 3)));
  EXPECT_FALSE(dx.defined());
  double norm = 0;
  for (float g : conv.weight().grad.to_vector()) norm += std::abs(g);
  EXPECT_GT(norm, 0.0);
}

TEST(Conv2d, SeesUpdatedWeightsAfterMarkUpdated) {
  Conv2d conv(2, 2, 1, 1, 0, 1, 1, false);
  conv.weight().value.fill(1.f);
  conv.weight().mark_updated();
  Tensor x = Tensor::from_vector({1, 2, 1, 1}, Vec{1.f, 2.f});
  EXPECT_EQ(conv.forward(x).to_vector(), (Vec{3.f, 3.f}));
  conv.weight().value.fill(2.f);
  conv.weight().mark_updated();
  EXPECT_EQ(conv.forward(x).to_vector(), (Vec{6.f, 6.f}));
}

TEST(Conv2d, RejectsBadInputWithClearError) {
  Conv2d conv(3, 4, 3);
  conv.set_name("enc1");
  try {
    conv.forward(Tensor::zeros({1, 2, 8, 8}));
    FAIL() << "expected nn::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("enc1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("input channels"), std::string::npos) << e.what();
  }
  EXPECT_THROW(conv.forward(Tensor::zeros({1, 3, 2, 2})), Error);
  EXPECT_THROW(conv.backward(Tensor::zeros({1, 4, 6, 6})), Error);  // no forward in training yet
  EXPECT_THROW(Conv2d(4, 6, 3, 1, 0, 1, 4), Error);                 // 6 % 4 != 0
}

TEST(Conv2d, GradientCheck) {
  Conv2d conv(3, 4, 3, 2, 1, 1, 1, true);
  randomize(conv, 21);
  grad_check(conv, Tensor::from_vector({2, 3, 7, 6}, random_vec(2 * 3 * 7 * 6, 4)));
}

TEST(Conv2d, GradientCheckDilatedGrouped) {
  Conv2d conv(4, 6, 3, 1, 2, 2, 2, true);
  randomize(conv, 22);
  grad_check(conv, Tensor::from_vector({2, 4, 6, 5}, random_vec(2 * 4 * 6 * 5, 5)));
}

TEST(Conv2d, EvalFusionWithBatchNormAndReluMatchesUnfused) {
  Conv2d conv(3, 5, 3, 1, 1);
  BatchNorm2d bn(5);
  randomize(conv, 30);
  randomize(bn, 31, 0.5f, 1.5f);
  bn.running_mean().from_vector(random_vec(5, 32));
  bn.running_var().from_vector(random_vec(5, 33, 0.5f, 2.f));
  conv.eval();
  bn.eval();
  Tensor x = Tensor::from_vector({2, 3, 7, 9}, random_vec(2 * 3 * 7 * 9, 34));
  Vec unfused = bn.forward(conv.forward(x)).to_vector();
  for (auto& v : unfused) v = std::max(v, 0.f);
  conv.set_inference_fusion(&bn, true);
  Vec fused = conv.forward(x).to_vector();
  EXPECT_TRUE(close(fused, unfused, 1e-4));
}

// ---- ConvTranspose2d ----

class DeconvVsRef : public ::testing::TestWithParam<std::tuple<ConvCase, DType>> {};

TEST_P(DeconvVsRef, ForwardAndBackwardMatchReference) {
  auto [c, dtype] = GetParam();
  if (dtype == DType::bf16 && !bf16_supported()) GTEST_SKIP() << "no native bf16";
  ConvTranspose2d deconv(c.a.in, c.a.out, c.a.k, c.a.stride, c.a.pad, c.a.out_pad, c.bias);
  deconv.set_dtype(dtype);
  randomize(deconv, 12);
  Vec x = random_vec(static_cast<size_t>(c.x.size()), 6);
  Vec w = deconv.weight().value.to_vector();
  Vec b = c.bias ? deconv.bias()->value.to_vector() : Vec{};
  const bool lo = dtype == DType::bf16;
  Shape4 ys;
  Vec y_ref = ref::conv_transpose2d(lo ? round_bf16(x) : x, c.x, lo ? round_bf16(w) : w, b, c.a, ys);
  Tensor y = deconv.forward(Tensor::from_vector({c.x.n, c.x.c, c.x.h, c.x.w}, x));
  ASSERT_EQ(y.dims(), (Dims{ys.n, ys.c, ys.h, ys.w}));
  const double tol = lo ? 2e-2 : 1e-4;
  EXPECT_TRUE(close(y.to_vector(), y_ref, tol)) << "forward";
  Vec dy = random_vec(y_ref.size(), 7);
  Vec dx_ref, dw_ref, db_ref;
  ref::conv_transpose2d_backward(lo ? round_bf16(x) : x, c.x, lo ? round_bf16(w) : w, c.a,
                                 lo ? round_bf16(dy) : dy, ys, dx_ref, dw_ref, db_ref, c.bias);
  deconv.zero_grad();
  Tensor dx = deconv.backward(Tensor::from_vector(y.dims(), dy));
  EXPECT_TRUE(close(dx.to_vector(), dx_ref, tol)) << "dx";
  EXPECT_TRUE(close(deconv.weight().grad.to_vector(), dw_ref, tol)) << "dw";
  if (c.bias) {
    EXPECT_TRUE(close(deconv.bias()->grad.to_vector(), db_ref, tol)) << "db";
  }
}

const ConvCase kDeconvCases[] = {
    {"k4_s2_p1", {3, 5, 7, 9}, {5, 3, 4, 2, 1, 1, 1, 0}, true},
    {"k3_s2_p1_outpad1", {2, 4, 5, 6}, {4, 6, 3, 2, 1, 1, 1, 1}, true},
    {"dcgan_first_k4_s1_p0", {3, 7, 1, 1}, {7, 5, 4, 1, 0, 1, 1, 0}, false},
};

INSTANTIATE_TEST_SUITE_P(Nn, DeconvVsRef,
                         ::testing::Combine(::testing::ValuesIn(kDeconvCases), ::testing::Values(DType::f32, DType::bf16)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param).label) +
                                  (std::get<1>(info.param) == DType::bf16 ? "_bf16" : "_f32");
                         });

TEST(ConvTranspose2d, GradientCheck) {
  ConvTranspose2d deconv(3, 2, 4, 2, 1, 0, true);
  randomize(deconv, 23);
  grad_check(deconv, Tensor::from_vector({2, 3, 3, 4}, random_vec(2 * 3 * 3 * 4, 8)));
}

// ---- Linear ----

class LinearVsRef : public ::testing::TestWithParam<std::tuple<bool, DType>> {};

TEST_P(LinearVsRef, ForwardAndBackwardMatchReference) {
  auto [four_d, dtype] = GetParam();
  if (dtype == DType::bf16 && !bf16_supported()) GTEST_SKIP() << "no native bf16";
  const std::int64_t n = 3, in = 5 * 3 * 2, out = 7;
  Linear fc(in, out);
  fc.set_dtype(dtype);
  randomize(fc, 13);
  Vec x = random_vec(static_cast<size_t>(n * in), 9);
  const bool lo = dtype == DType::bf16;
  Vec w = fc.weight().value.to_vector(), b = fc.bias()->value.to_vector();
  Vec y_ref = ref::linear(lo ? round_bf16(x) : x, n, in, lo ? round_bf16(w) : w, b, out);
  Dims xd = four_d ? Dims{n, 5, 3, 2} : Dims{n, in};
  Tensor y = fc.forward(Tensor::from_vector(xd, x));
  ASSERT_EQ(y.dims(), (Dims{n, out}));
  const double tol = lo ? 2e-2 : 1e-4;
  EXPECT_TRUE(close(y.to_vector(), y_ref, tol));
  Vec dy = random_vec(y_ref.size(), 10);
  Vec dx_ref, dw_ref, db_ref;
  ref::linear_backward(lo ? round_bf16(x) : x, n, in, lo ? round_bf16(w) : w, out, lo ? round_bf16(dy) : dy,
                       dx_ref, dw_ref, db_ref, true);
  fc.zero_grad();
  Tensor dx = fc.backward(Tensor::from_vector(y.dims(), dy));
  EXPECT_EQ(dx.dims(), xd);
  EXPECT_TRUE(close(dx.to_vector(), dx_ref, tol)) << "dx";
  EXPECT_TRUE(close(fc.weight().grad.to_vector(), dw_ref, tol)) << "dw";
  EXPECT_TRUE(close(fc.bias()->grad.to_vector(), db_ref, tol)) << "db";
}

INSTANTIATE_TEST_SUITE_P(Nn, LinearVsRef, ::testing::Combine(::testing::Bool(), ::testing::Values(DType::f32, DType::bf16)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param) ? "input4d" : "input2d") +
                                  (std::get<1>(info.param) == DType::bf16 ? "_bf16" : "_f32");
                         });

TEST(Linear, GradientCheck) {
  Linear fc(12, 5);
  randomize(fc, 24);
  grad_check(fc, Tensor::from_vector({3, 3, 2, 2}, random_vec(36, 11)));
}

}  // namespace
}  // namespace cvpipe::nn
