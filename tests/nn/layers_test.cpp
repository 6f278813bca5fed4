// Pooling, BatchNorm2d, activations, softmax, upsample, dropout, flatten, Add and Concat against
// the naive reference kernels (f32 tight, bf16 loose) plus finite-difference gradient checks.
#include <gtest/gtest.h>

#include <set>

#include "cvpipe/nn/layers.hpp"
#include "cvpipe/nn/containers.hpp"
#include "ref/ref.hpp"
#include "support/nn_test_util.hpp"

namespace cvpipe::nn {
namespace {

using namespace testing;
using ref::Shape4;

Dims dims_of(Shape4 s) { return {s.n, s.c, s.h, s.w}; }

// Runs `layer` on x given in plain f32, or (bf16) converted to bf16 first; also through a blocked
// layout (nChw16c) to exercise reorders.
Tensor make_input(const Vec& x, Shape4 s, DType dtype, bool blocked = false) {
  Tensor t = Tensor::from_vector(dims_of(s), x);
  if (dtype == DType::bf16) t = t.to(DType::bf16);
  if (blocked) t = t.reorder_to(dnnl::memory::desc(dims_of(s), to_dnnl(dtype), dnnl::memory::format_tag::nChw16c));
  return t;
}

std::string pool_name(int kind) {
  static const char* names[] = {"max", "avg_incl", "avg_excl", "global"};
  return names[kind];
}

class PoolVsRef : public ::testing::TestWithParam<std::tuple<int, DType, bool>> {};

TEST_P(PoolVsRef, ForwardAndBackwardMatchReference) {
  auto [kind, dtype, blocked] = GetParam();  // kind 0 max, 1 avg include pad, 2 avg exclude pad, 3 global
  if (dtype == DType::bf16 && !bf16_supported()) GTEST_SKIP();
  const Shape4 xs{3, 5, 7, 9};
  const std::int64_t k = 3, s = 2, p = 1;
  std::unique_ptr<Layer> layer;
  if (kind == 0) layer = std::make_unique<MaxPool2d>(k, s, p);
  if (kind == 1) layer = std::make_unique<AvgPool2d>(k, s, p, true);
  if (kind == 2) layer = std::make_unique<AvgPool2d>(k, s, p, false);
  if (kind == 3) layer = std::make_unique<GlobalAvgPool>();
  const bool lo = dtype == DType::bf16;
  Vec x = distinct_vec(static_cast<size_t>(xs.size()), 1, lo ? 1.f / 128 : 0.01f);
  if (lo) x = round_bf16(x);
  Shape4 ys;
  Vec y_ref;
  if (kind == 0) y_ref = ref::max_pool2d(x, xs, k, s, p, ys);
  if (kind == 1 || kind == 2) y_ref = ref::avg_pool2d(x, xs, k, s, p, kind == 1, ys);
  if (kind == 3) y_ref = ref::avg_pool2d(x, xs, 7, 1, 0, true, ys);  // 7x9 not square: computed below
  if (kind == 3) {
    ys = {3, 5, 1, 1};
    y_ref.assign(15, 0.f);
    for (int i = 0; i < 15; ++i) {
      double a = 0;
      for (int j = 0; j < 63; ++j) a += x[static_cast<size_t>(i * 63 + j)];
      y_ref[static_cast<size_t>(i)] = static_cast<float>(a / 63);
    }
  }
  Tensor y = layer->forward(make_input(x, xs, dtype, blocked));
  ASSERT_EQ(y.dims(), dims_of(ys));
  const double tol = lo ? 2e-2 : 1e-5;
  EXPECT_TRUE(close(y.to_vector(), y_ref, tol)) << "forward";
  Vec dy = random_vec(y_ref.size(), 2);
  if (lo) dy = round_bf16(dy);
  Vec dx_ref;
  if (kind == 0) dx_ref = ref::max_pool2d_backward(x, xs, k, s, p, dy, ys);
  if (kind == 1 || kind == 2) dx_ref = ref::avg_pool2d_backward(xs, k, s, p, kind == 1, dy, ys);
  if (kind == 3) {
    dx_ref.resize(x.size());
    for (size_t i = 0; i < x.size(); ++i) dx_ref[i] = dy[i / 63] / 63.f;
  }
  Tensor dx = layer->backward(Tensor::from_vector(y.dims(), dy));
  EXPECT_EQ(dx.dims(), dims_of(xs));
  EXPECT_TRUE(close(dx.to_vector(), dx_ref, tol)) << "backward";
}

INSTANTIATE_TEST_SUITE_P(Nn, PoolVsRef,
                         ::testing::Combine(::testing::Values(0, 1, 2, 3), ::testing::Values(DType::f32, DType::bf16),
                                            ::testing::Bool()),
                         [](const auto& info) {
                           return pool_name(std::get<0>(info.param)) +
                                  (std::get<1>(info.param) == DType::bf16 ? "_bf16" : "_f32") +
                                  (std::get<2>(info.param) ? "_blocked" : "_plain");
                         });

// MaxPool2d's own f32 kernels on every layout they read (convolutions hand over nChw8c on AVX2 and
// nChw16c on AVX-512), with ties (the first maximum in window order wins, as in the reference), at
// 1 and 2 threads (the same bits).
TEST(Pooling, MaxPoolMatchesReferenceOnEveryLayoutAndThreadCount) {
  using tag = dnnl::memory::format_tag;
  const Shape4 xs{4, 11, 9, 10};
  Vec x = random_vec(static_cast<size_t>(xs.size()), 7, -1.f, 1.f);
  for (size_t i = 0; i < x.size(); i += 3) x[i] = 0.5f;  // ties inside windows
  for (auto [k, s, p] : {std::tuple<std::int64_t, std::int64_t, std::int64_t>{2, 2, 0}, {3, 2, 1}, {3, 1, 1}}) {
    Shape4 ys;
    const Vec y_ref = ref::max_pool2d(x, xs, k, s, p, ys);
    const Vec dy = random_vec(y_ref.size(), 8);
    const Vec dx_ref = ref::max_pool2d_backward(x, xs, k, s, p, dy, ys);
    for (tag t : {tag::nchw, tag::nhwc, tag::nChw8c, tag::nChw16c}) {
      std::vector<Vec> results;
      for (int threads : {1, 2}) {
        set_num_threads(threads);
        MaxPool2d mp(k, s, p);
        const Tensor in = Tensor::from_vector(dims_of(xs), x).reorder_to(
            dnnl::memory::desc(dims_of(xs), dnnl::memory::data_type::f32, t));
        const Tensor y = mp.forward(in);
        ASSERT_EQ(y.dims(), dims_of(ys));
        EXPECT_TRUE(close(y.to_vector(), y_ref, 0)) << "forward, tag " << static_cast<int>(t) << ", k " << k;
        const Tensor dx = mp.backward(Tensor::from_vector(y.dims(), dy));
        EXPECT_TRUE(close(dx.to_vector(), dx_ref, 1e-6)) << "backward, tag " << static_cast<int>(t) << ", k " << k;
        results.push_back(dx.to_vector());
      }
      EXPECT_EQ(results[0], results[1]) << "thread count changed the result, tag " << static_cast<int>(t);
    }
  }
  set_num_threads(0);
}

TEST(Pooling, FloorModeShapesLikeTorch) {
  EXPECT_EQ(MaxPool2d(2).output_dims({{1, 3, 7, 9}}), (Dims{1, 3, 3, 4}));
  EXPECT_EQ(AvgPool2d(3, 2, 1).output_dims({{1, 3, 7, 9}}), (Dims{1, 3, 4, 5}));
  EXPECT_THROW(MaxPool2d(2, 2, 2), Error);  // padding > kernel / 2
}

TEST(Pooling, GradientChecks) {
  MaxPool2d mp(3, 2, 1);
  grad_check(mp, Tensor::from_vector({2, 3, 5, 6}, distinct_vec(180, 3, 0.05f)), {.eps = 1e-3f});
  AvgPool2d ap(3, 2, 1, false);
  grad_check(ap, Tensor::from_vector({2, 3, 5, 6}, random_vec(180, 4)));
  GlobalAvgPool gp;
  grad_check(gp, Tensor::from_vector({2, 3, 5, 6}, random_vec(180, 5)));
}

// ---- BatchNorm2d ----

class BatchNormVsRef : public ::testing::TestWithParam<std::tuple<DType, bool>> {};

TEST_P(BatchNormVsRef, TrainForwardBackwardAndRunningStats) {
  auto [dtype, blocked] = GetParam();
  if (dtype == DType::bf16 && !bf16_supported()) GTEST_SKIP();
  const Shape4 xs{3, 5, 7, 9};
  BatchNorm2d bn(5);
  randomize(bn, 40, 0.5f, 1.5f);
  const bool lo = dtype == DType::bf16;
  Vec x = random_vec(static_cast<size_t>(xs.size()), 41, -2.f, 3.f);
  if (lo) x = round_bf16(x);
  Vec g = bn.weight().value.to_vector(), b = bn.bias().value.to_vector();
  Vec mean, var;
  Vec y_ref = ref::batch_norm_train(x, xs, g, b, 1e-5f, mean, var);
  Tensor y = bn.forward(make_input(x, xs, dtype, blocked));
  const double tol = lo ? 2e-2 : 1e-4;
  EXPECT_TRUE(close(y.to_vector(), y_ref, tol)) << "forward";
  // running stats: (1 - 0.1) * init + 0.1 * batch (unbiased variance)
  const double m = static_cast<double>(xs.n * xs.h * xs.w);
  Vec rm(5), rv(5);
  for (int c = 0; c < 5; ++c) {
    rm[static_cast<size_t>(c)] = 0.1f * mean[static_cast<size_t>(c)];
    rv[static_cast<size_t>(c)] = static_cast<float>(0.9 + 0.1 * var[static_cast<size_t>(c)] * m / (m - 1));
  }
  EXPECT_TRUE(close(bn.running_mean().to_vector(), rm, 1e-4));
  EXPECT_TRUE(close(bn.running_var().to_vector(), rv, 1e-4));

  Vec dy = random_vec(y_ref.size(), 42);
  if (lo) dy = round_bf16(dy);
  Vec dx_ref, dg_ref, db_ref;
  ref::batch_norm_train_backward(x, xs, g, 1e-5f, dy, dx_ref, dg_ref, db_ref);
  bn.zero_grad();
  Tensor dx = bn.backward(Tensor::from_vector(y.dims(), dy));
  EXPECT_TRUE(close(dx.to_vector(), dx_ref, lo ? 5e-2 : 1e-4)) << "dx";
  EXPECT_TRUE(close(bn.weight().grad.to_vector(), dg_ref, tol)) << "dgamma";
  EXPECT_TRUE(close(bn.bias().grad.to_vector(), db_ref, tol)) << "dbeta";

  // eval uses the running statistics
  bn.eval();
  Vec ye_ref = ref::batch_norm_eval(x, xs, g, b, bn.running_mean().to_vector(), bn.running_var().to_vector(), 1e-5f);
  EXPECT_TRUE(close(bn.forward(make_input(x, xs, dtype, blocked)).to_vector(), ye_ref, tol)) << "eval";
  EXPECT_TRUE(close(bn.running_mean().to_vector(), rm, 1e-6)) << "eval must not touch running stats";
}

// Training on both channel-blocked layouts (nChw8c from AVX2 convolutions: oneDNN's bnorm;
// nChw16c from AVX-512 ones: the engine's own kernels), with padding channels (C = 11).
TEST(BatchNorm, TrainingMatchesReferenceOnBothBlockedLayouts) {
  using tag = dnnl::memory::format_tag;
  const Shape4 xs{3, 11, 5, 7};
  const Vec x = random_vec(static_cast<size_t>(xs.size()), 51, -2.f, 3.f);
  const Vec dy = random_vec(static_cast<size_t>(xs.size()), 52);
  for (tag t : {tag::nChw8c, tag::nChw16c}) {
    BatchNorm2d bn(11);
    randomize(bn, 50, 0.5f, 1.5f);
    const Vec g = bn.weight().value.to_vector(), b = bn.bias().value.to_vector();
    Vec mean, var, dx_ref, dg_ref, db_ref;
    const Vec y_ref = ref::batch_norm_train(x, xs, g, b, 1e-5f, mean, var);
    ref::batch_norm_train_backward(x, xs, g, 1e-5f, dy, dx_ref, dg_ref, db_ref);
    const Tensor in = Tensor::from_vector(dims_of(xs), x).reorder_to(
        dnnl::memory::desc(dims_of(xs), dnnl::memory::data_type::f32, t));
    const Tensor y = bn.forward(in);
    EXPECT_TRUE(close(y.to_vector(), y_ref, 1e-4)) << "forward, tag " << static_cast<int>(t);
    bn.zero_grad();
    const Tensor dx = bn.backward(Tensor::from_vector(y.dims(), dy));
    EXPECT_TRUE(close(dx.to_vector(), dx_ref, 1e-4)) << "dx, tag " << static_cast<int>(t);
    EXPECT_TRUE(close(bn.weight().grad.to_vector(), dg_ref, 1e-4)) << "dgamma, tag " << static_cast<int>(t);
    EXPECT_TRUE(close(bn.bias().grad.to_vector(), db_ref, 1e-4)) << "dbeta, tag " << static_cast<int>(t);
  }
}

INSTANTIATE_TEST_SUITE_P(Nn, BatchNormVsRef, ::testing::Combine(::testing::Values(DType::f32, DType::bf16), ::testing::Bool()),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param) == DType::bf16 ? "bf16" : "f32") +
                                  (std::get<1>(info.param) ? "_blocked" : "_plain");
                         });

TEST(BatchNorm2d, GradientCheckAndBuffers) {
  BatchNorm2d bn(3);
  randomize(bn, 43, 0.5f, 1.5f);
  grad_check(bn, Tensor::from_vector({2, 3, 4, 5}, random_vec(120, 44, -1.f, 2.f)), {.eps = 1e-2f, .atol = 3e-3});
  auto bufs = bn.named_buffers();
  ASSERT_EQ(bufs.size(), 2u);
  EXPECT_EQ(bufs[0].name, "running_mean");
  EXPECT_EQ(bufs[1].name, "running_var");
  auto params = bn.named_parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_FALSE(params[0].param->decay);
}

TEST(BatchNorm2d, FusedReluMatchesSeparateRelu) {
  const Shape4 xs{2, 4, 5, 7};
  Vec x = random_vec(static_cast<size_t>(xs.size()), 45);
  Vec dy = random_vec(static_cast<size_t>(xs.size()), 46);
  auto run = [&](bool fused, Vec& dx) {
    BatchNorm2d bn(4);
    randomize(bn, 47, 0.5f, 1.5f);
    bn.set_fused_relu(fused);
    ReLU relu;
    Tensor y = bn.forward(Tensor::from_vector(dims_of(xs), x));
    if (!fused) y = relu.forward(y);
    Vec out = y.to_vector();
    Tensor d = Tensor::from_vector(dims_of(xs), dy);
    if (!fused) d = relu.backward(d);
    dx = bn.backward(d).to_vector();
    return out;
  };
  Vec dx1, dx2;
  Vec y1 = run(true, dx1), y2 = run(false, dx2);
  EXPECT_TRUE(close(y1, y2, 1e-5));
  EXPECT_TRUE(close(dx1, dx2, 1e-4));
}

TEST(BatchNorm2d, BlockedKernelsMatchOneDnnWithFusedRelu) {
  // f32 nChw16c training runs the engine's own kernels, plain nchw runs oneDNN: same results,
  // with several channel blocks and a padded last block (37 = 2 * 16 + 5).
  const Shape4 xs{3, 37, 6, 5};
  Vec x = random_vec(static_cast<size_t>(xs.size()), 48, -2.f, 3.f);
  Vec dy = random_vec(static_cast<size_t>(xs.size()), 49);
  auto run = [&](bool blocked, Vec& dx, Vec& dg, Vec& db, Vec& rv) {
    BatchNorm2d bn(37);
    randomize(bn, 50, -1.f, 1.5f);
    bn.set_fused_relu(true);
    Tensor y = bn.forward(make_input(x, xs, DType::f32, blocked));
    EXPECT_EQ(y.desc(), make_input(x, xs, DType::f32, blocked).desc());
    Vec out = y.to_vector();
    dx = bn.backward(make_input(dy, xs, DType::f32, blocked)).to_vector();
    dg = bn.weight().grad.to_vector();
    db = bn.bias().grad.to_vector();
    rv = bn.running_var().to_vector();
    return out;
  };
  Vec dx1, dg1, db1, rv1, dx2, dg2, db2, rv2;
  Vec y1 = run(true, dx1, dg1, db1, rv1), y2 = run(false, dx2, dg2, db2, rv2);
  EXPECT_TRUE(close(y1, y2, 1e-5)) << "forward";
  EXPECT_TRUE(close(dx1, dx2, 1e-4)) << "dx";
  EXPECT_TRUE(close(dg1, dg2, 1e-4)) << "dgamma";
  EXPECT_TRUE(close(db1, db2, 1e-4)) << "dbeta";
  EXPECT_TRUE(close(rv1, rv2, 1e-5)) << "running var";
}

// ---- activations ----

struct ActCase {
  const char* name;
  Activation::Kind kind;
  ref::Act ref_kind;
  float alpha;
};

class ActivationVsRef : public ::testing::TestWithParam<std::tuple<ActCase, DType>> {};

std::unique_ptr<Activation> make_act(const ActCase& c) { return std::make_unique<Activation>(c.kind, c.alpha); }

TEST_P(ActivationVsRef, ForwardBackwardAndGradient) {
  auto [c, dtype] = GetParam();
  if (dtype == DType::bf16 && !bf16_supported()) GTEST_SKIP();
  const Shape4 xs{3, 5, 7, 9};
  auto act = make_act(c);
  const bool lo = dtype == DType::bf16;
  Vec x = random_away_from_zero(static_cast<size_t>(xs.size()), 50);
  for (auto& v : x) v *= 2;
  if (lo) x = round_bf16(x);
  Vec y_ref = ref::activation(x, c.ref_kind, c.alpha);
  Tensor y = act->forward(make_input(x, xs, dtype, true));
  const double tol = lo ? 2e-2 : 1e-5;
  EXPECT_TRUE(close(y.to_vector(), y_ref, tol)) << "forward";
  Vec dy = random_vec(y_ref.size(), 51);
  if (lo) dy = round_bf16(dy);
  Vec dx_ref = ref::activation_backward(x, c.ref_kind, c.alpha, dy);
  EXPECT_TRUE(close(act->backward(Tensor::from_vector(y.dims(), dy)).to_vector(), dx_ref, lo ? 3e-2 : 1e-4)) << "backward";
  if (!lo) {
    auto a2 = make_act(c);
    grad_check(*a2, Tensor::from_vector({2, 3, 4, 5}, random_away_from_zero(120, 52)), {.eps = 1e-2f});
  }
}

const ActCase kActs[] = {
    {"relu", Activation::Kind::relu, ref::Act::relu, 0.f},
    {"leaky_relu", Activation::Kind::leaky_relu, ref::Act::leaky_relu, 0.2f},
    {"tanh", Activation::Kind::tanh, ref::Act::tanh, 0.f},
    {"sigmoid", Activation::Kind::sigmoid, ref::Act::sigmoid, 0.f},
    {"elu", Activation::Kind::elu, ref::Act::elu, 1.f},
    {"leaky_relu_negative_slope", Activation::Kind::leaky_relu, ref::Act::leaky_relu, -0.3f},
};

INSTANTIATE_TEST_SUITE_P(Nn, ActivationVsRef, ::testing::Combine(::testing::ValuesIn(kActs), ::testing::Values(DType::f32, DType::bf16)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param).name) +
                                  (std::get<1>(info.param) == DType::bf16 ? "_bf16" : "_f32");
                         });

TEST(Activation, TypesAndInPlace) {
  EXPECT_EQ(ReLU().type(), "ReLU");
  EXPECT_EQ(LeakyReLU(0.2f).type(), "LeakyReLU");
  EXPECT_EQ(Sigmoid().type(), "Sigmoid");
  ReLU relu;
  relu.set_inplace(true);
  Tensor x = Tensor::from_vector({1, 4}, Vec{-1.f, 2.f, -3.f, 4.f});
  Tensor y = relu.forward(x);
  EXPECT_EQ(y.raw(), x.raw()) << "in-place output shares the input buffer";
  EXPECT_EQ(x.to_vector(), (Vec{0.f, 2.f, 0.f, 4.f}));
  EXPECT_EQ(relu.backward(Tensor::from_vector({1, 4}, Vec{1.f, 1.f, 1.f, 1.f})).to_vector(), (Vec{0.f, 1.f, 0.f, 1.f}));
}

// ---- softmax ----

class SoftmaxVsRef : public ::testing::TestWithParam<std::tuple<bool, bool>> {};

TEST_P(SoftmaxVsRef, ForwardBackwardAndGradient) {
  auto [log, four_d] = GetParam();
  Dims d = four_d ? Dims{3, 5, 2, 3} : Dims{3, 7};
  const std::int64_t n = d[0], c = d[1], s = four_d ? 6 : 1;
  Vec x = random_vec(static_cast<size_t>(product(d)), 60, -3.f, 3.f);
  Softmax sm(log);
  Vec y_ref = ref::softmax(x, n, c, s, log);
  Tensor y = sm.forward(Tensor::from_vector(d, x));
  EXPECT_TRUE(close(y.to_vector(), y_ref, 1e-5));
  Vec dy = random_vec(y_ref.size(), 61);
  EXPECT_TRUE(close(sm.backward(Tensor::from_vector(d, dy)).to_vector(), ref::softmax_backward(y_ref, n, c, s, log, dy), 1e-4));
  Softmax sm2(log);
  grad_check(sm2, Tensor::from_vector(d, x), {.eps = 1e-2f});
  EXPECT_EQ(sm.type(), log ? "LogSoftmax" : "Softmax");
}

INSTANTIATE_TEST_SUITE_P(Nn, SoftmaxVsRef, ::testing::Combine(::testing::Bool(), ::testing::Bool()), [](const auto& info) {
  return std::string(std::get<0>(info.param) ? "log" : "plain") + (std::get<1>(info.param) ? "_4d" : "_2d");
});

// ---- upsample ----

class UpsampleVsRef : public ::testing::TestWithParam<std::tuple<bool, DType>> {};

TEST_P(UpsampleVsRef, ForwardBackwardAndGradient) {
  auto [bilinear, dtype] = GetParam();
  if (dtype == DType::bf16 && !bf16_supported()) GTEST_SKIP();
  const Shape4 xs{3, 5, 7, 9};
  const bool lo = dtype == DType::bf16;
  Vec x = random_vec(static_cast<size_t>(xs.size()), 70);
  if (lo) x = round_bf16(x);
  Upsample up(2.f, bilinear ? Upsample::Mode::bilinear : Upsample::Mode::nearest);
  Shape4 ys;
  Vec y_ref = ref::upsample(x, xs, 2, bilinear, ys);
  Tensor y = up.forward(make_input(x, xs, dtype, true));
  ASSERT_EQ(y.dims(), dims_of(ys));
  const double tol = lo ? 2e-2 : 1e-5;
  EXPECT_TRUE(close(y.to_vector(), y_ref, tol));
  Vec dy = random_vec(y_ref.size(), 71);
  if (lo) dy = round_bf16(dy);
  EXPECT_TRUE(close(up.backward(Tensor::from_vector(y.dims(), dy)).to_vector(), ref::upsample_backward(xs, 2, bilinear, dy, ys),
                    lo ? 3e-2 : 1e-4));
  if (!lo) {
    Upsample up2(2.f, bilinear ? Upsample::Mode::bilinear : Upsample::Mode::nearest);
    grad_check(up2, Tensor::from_vector({2, 2, 3, 4}, random_vec(48, 72)));
  }
}

INSTANTIATE_TEST_SUITE_P(Nn, UpsampleVsRef, ::testing::Combine(::testing::Bool(), ::testing::Values(DType::f32, DType::bf16)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param) ? "bilinear" : "nearest") +
                                  (std::get<1>(info.param) == DType::bf16 ? "_bf16" : "_f32");
                         });

// ---- dropout, flatten ----

TEST(Dropout, MasksScalesAndIsDeterministic) {
  const std::int64_t n = 20000;
  Vec x(static_cast<size_t>(n), 1.f);
  Dropout d(0.25f, 123);
  Vec y = d.forward(Tensor::from_vector({n, 1}, x)).to_vector();
  std::size_t zeros = 0;
  for (float v : y) {
    if (v == 0.f) ++zeros;
    else EXPECT_FLOAT_EQ(v, 1.f / 0.75f);
  }
  EXPECT_NEAR(static_cast<double>(zeros) / n, 0.25, 0.02);
  Vec dx = d.backward(Tensor::from_vector({n, 1}, Vec(static_cast<size_t>(n), 2.f))).to_vector();
  for (std::size_t i = 0; i < y.size(); ++i) EXPECT_FLOAT_EQ(dx[i], y[i] * 2.f);
  Vec y_again = d.forward(Tensor::from_vector({n, 1}, x)).to_vector();
  EXPECT_NE(y, y_again) << "a new mask per call";
  Dropout same_seed(0.25f, 123);
  EXPECT_EQ(same_seed.forward(Tensor::from_vector({n, 1}, x)).to_vector(), y) << "same seed, same first mask";
  d.eval();
  EXPECT_EQ(d.forward(Tensor::from_vector({n, 1}, x)).to_vector(), x) << "identity in eval";
  EXPECT_THROW(Dropout(1.5f), Error);
}

TEST(Flatten, TorchOrderFromBlockedInputAndBack) {
  const Shape4 xs{3, 5, 2, 3};
  Vec x = random_vec(static_cast<size_t>(xs.size()), 80);
  Flatten f;
  Tensor y = f.forward(make_input(x, xs, DType::f32, true));
  EXPECT_EQ(y.dims(), (Dims{3, 30}));
  EXPECT_EQ(y.to_vector(), x);
  Tensor dx = f.backward(Tensor::from_vector({3, 30}, x));
  EXPECT_EQ(dx.dims(), dims_of(xs));
  EXPECT_EQ(dx.to_vector(), x);
}

// ---- Add, Concat ----

TEST(AddConcat, ForwardBackwardWithMixedLayouts) {
  const Shape4 a{3, 16, 5, 7}, b{3, 32, 5, 7}, c{3, 5, 5, 7};
  Vec xa = random_vec(static_cast<size_t>(a.size()), 90), xb = random_vec(static_cast<size_t>(b.size()), 91),
      xc = random_vec(static_cast<size_t>(c.size()), 92);
  Concat cat;
  std::vector<Tensor> ins{make_input(xa, a, DType::f32, true), make_input(xb, b, DType::f32, false),
                          make_input(xc, c, DType::f32, false)};
  Tensor y = cat.forward_n(ins);
  EXPECT_EQ(y.dims(), (Dims{3, 53, 5, 7}));
  EXPECT_EQ(y.to_vector(), ref::concat({xa, xb, xc}, {a, b, c}));
  Vec dy = random_vec(static_cast<size_t>(y.numel()), 93);
  for (bool blocked_dy : {false, true}) {
    Tensor d = Tensor::from_vector(y.dims(), dy);
    if (blocked_dy) d = d.reorder_to(dnnl::memory::desc(y.dims(), dnnl::memory::data_type::f32, dnnl::memory::format_tag::nChw16c));
    auto dxs = cat.backward_n(d);
    ASSERT_EQ(dxs.size(), 3u);
    EXPECT_EQ(ref::concat({dxs[0].to_vector(), dxs[1].to_vector(), dxs[2].to_vector()}, {a, b, c}), dy);
  }

  Add add;
  std::vector<Tensor> two{make_input(xa, a, DType::f32, true), make_input(xa, a, DType::f32, false)};
  Vec sum = add.forward_n(two).to_vector();
  for (std::size_t i = 0; i < sum.size(); ++i) EXPECT_FLOAT_EQ(sum[i], 2 * xa[i]);
  auto g = add.backward_n(Tensor::from_vector(dims_of(a), xa));
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[1].to_vector(), xa);
  EXPECT_THROW(add.forward_n(std::vector<Tensor>{two[0], Tensor::zeros({3, 16, 5, 6})}), Error);
  EXPECT_THROW(cat.forward_n(std::vector<Tensor>{two[0], Tensor::zeros({3, 16, 5, 6})}), Error);
}

TEST(AddConcat, ChannelMajorFastPathBlockedAndPlain) {
  const Shape4 a{2, 16, 3, 5}, b{2, 32, 3, 5};
  Vec xa = random_vec(static_cast<size_t>(a.size()), 98), xb = random_vec(static_cast<size_t>(b.size()), 99);
  for (bool blocked : {true, false}) {
    Concat cat;
    Tensor y = cat.forward_n(std::vector<Tensor>{make_input(xa, a, DType::f32, blocked), make_input(xb, b, DType::f32, blocked)});
    EXPECT_EQ(y.is_plain(), !blocked);
    EXPECT_EQ(y.to_vector(), ref::concat({xa, xb}, {a, b}));
    Vec dy = random_vec(static_cast<size_t>(y.numel()), 100);
    Tensor d = Tensor::from_vector(y.dims(), dy);
    if (blocked) d = d.reorder_to(dnnl::memory::desc(y.dims(), dnnl::memory::data_type::f32, dnnl::memory::format_tag::nChw16c));
    auto dxs = cat.backward_n(d);
    ASSERT_EQ(dxs.size(), 2u);
    EXPECT_EQ(dxs[0].dims(), dims_of(a));
    EXPECT_EQ(ref::concat({dxs[0].to_vector(), dxs[1].to_vector()}, {a, b}), dy);
  }
}

TEST(AddConcat, GradientCheck) {
  Concat cat;
  grad_check(cat, std::vector<Tensor>{Tensor::from_vector({2, 3, 2, 3}, random_vec(36, 94)),
                                      Tensor::from_vector({2, 2, 2, 3}, random_vec(24, 95))});
  Add add;
  grad_check(add, std::vector<Tensor>{Tensor::from_vector({2, 3, 2, 3}, random_vec(36, 96)),
                                      Tensor::from_vector({2, 3, 2, 3}, random_vec(36, 97))});
}

}  // namespace
}  // namespace cvpipe::nn
