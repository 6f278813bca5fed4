// Losses: values against hand-computed formulas, gradients against central finite differences,
// blocked inputs, buffer reuse, thread-count independence and shape errors.
#include "cvpipe/nn/loss.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <functional>
#include <random>

#include "cvpipe/nn/context.hpp"

namespace cvpipe::nn {
namespace {

std::vector<float> random_values(std::size_t n, std::uint64_t seed, float scale = 2.0f) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-scale, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

// Central differences of loss(x) w.r.t. every element of x, compared with the analytic grad.
void expect_grad_matches(const Dims& dims, std::vector<float> x, const std::function<LossResult(const Tensor&)>& loss,
                         double tol = 2e-3, float h = 1e-2f) {
  const LossResult r = loss(Tensor::from_vector(dims, x));
  const auto g = r.grad.to_vector();
  ASSERT_EQ(g.size(), x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float keep = x[i];
    x[i] = keep + h;
    const double up = loss(Tensor::from_vector(dims, x)).loss;
    x[i] = keep - h;
    const double down = loss(Tensor::from_vector(dims, x)).loss;
    x[i] = keep;
    const double fd = (up - down) / (2.0 * h);
    EXPECT_NEAR(g[i], fd, tol * std::max(1.0, std::abs(fd))) << "element " << i;
  }
}

TEST(Loss, CrossEntropyValue) {
  const Tensor logits = Tensor::from_vector({2, 3}, std::vector<float>{1, 2, 3, 1, 1, 1});
  const std::vector<int> t{2, 0};
  const LossResult r = cross_entropy(logits, t);
  const double lse0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  const double expected = ((lse0 - 3.0) + std::log(3.0)) / 2.0;
  EXPECT_NEAR(r.loss, expected, 1e-6);
  // Gradient row 0: (softmax - onehot) / N.
  const auto g = r.grad.to_vector();
  EXPECT_NEAR(g[2], (std::exp(3.0 - lse0) - 1.0) / 2.0, 1e-6);
  EXPECT_NEAR(g[3], (1.0 / 3.0 - 1.0) / 2.0, 1e-6);
  EXPECT_EQ(r.grad.dims(), (Dims{2, 3}));
}

TEST(Loss, CrossEntropyLabelSmoothingValue) {
  // torch: loss = (1 - eps) * nll + eps * mean_c(-log p_c).
  const Tensor logits = Tensor::from_vector({1, 4}, std::vector<float>{0.5f, -1.0f, 2.0f, 0.0f});
  const std::vector<int> t{1};
  const double eps = 0.2;
  const double lse = std::log(std::exp(0.5) + std::exp(-1.0) + std::exp(2.0) + std::exp(0.0));
  const double nll = lse + 1.0;
  const double smooth = ((lse - 0.5) + (lse + 1.0) + (lse - 2.0) + lse) / 4.0;
  EXPECT_NEAR(cross_entropy(logits, t, {.label_smoothing = 0.2f}).loss, (1 - eps) * nll + eps * smooth, 1e-6);
}

TEST(Loss, CrossEntropyGradients) {
  const std::vector<int> t{4, 0, 2};
  expect_grad_matches({3, 5}, random_values(15, 1), [&](const Tensor& x) { return cross_entropy(x, t); });
  expect_grad_matches({3, 5}, random_values(15, 2),
                      [&](const Tensor& x) { return cross_entropy(x, t, {.label_smoothing = 0.1f}); });
  // Spatial logits [N, C, H, W] with one ignored position.
  std::vector<int> st(2 * 3 * 2);
  for (std::size_t i = 0; i < st.size(); ++i) st[i] = static_cast<int>(i % 4);
  st[5] = -100;
  expect_grad_matches({2, 4, 3, 2}, random_values(48, 3), [&](const Tensor& x) { return cross_entropy(x, st); });
  const LossResult r = cross_entropy(Tensor::from_vector({2, 4, 3, 2}, random_values(48, 3)), st);
  const auto g = r.grad.to_vector();
  for (int c = 0; c < 4; ++c) EXPECT_EQ(g[c * 6 + 5], 0.0f) << "ignored position has no gradient";
}

TEST(Loss, CrossEntropyErrors) {
  const Tensor logits = Tensor::from_vector({2, 3}, std::vector<float>(6, 0.f));
  EXPECT_THROW(cross_entropy(logits, std::vector<int>{0}), Error);
  EXPECT_THROW(cross_entropy(logits, std::vector<int>{0, 3}), Error);
  EXPECT_THROW(cross_entropy(logits, std::vector<int>{0, -1}), Error);
  EXPECT_THROW(cross_entropy(Tensor::from_vector({3}, std::vector<float>(3, 0.f)), std::vector<int>{0, 0, 0}), Error);
  EXPECT_THROW(cross_entropy(logits, std::vector<int>{0, 1}, {.label_smoothing = 1.5f}), Error);
}

TEST(Loss, BceWithLogitsStableAndCorrect) {
  const Tensor x = Tensor::from_vector({4}, std::vector<float>{-100.f, 100.f, 0.f, 2.f});
  const Tensor y = Tensor::from_vector({4}, std::vector<float>{1.f, 0.f, 0.5f, 1.f});
  const LossResult r = bce_with_logits(x, y);
  const double expected = (100.0 + 100.0 + std::log(2.0) + std::log1p(std::exp(-2.0))) / 4.0;
  EXPECT_NEAR(r.loss, expected, 1e-5);
  EXPECT_TRUE(std::isfinite(r.loss));
  const auto g = r.grad.to_vector();
  EXPECT_NEAR(g[0], -0.25, 1e-6);
  EXPECT_NEAR(g[1], 0.25, 1e-6);
  EXPECT_NEAR(g[2], 0.0, 1e-7);
  // One target for all elements (GAN real/fake labels) equals the full-tensor form.
  const Tensor ones = Tensor::from_vector({4}, std::vector<float>(4, 1.f));
  EXPECT_DOUBLE_EQ(bce_with_logits(x, 1.0f).loss, bce_with_logits(x, ones).loss);
  const auto yv = random_values(12, 9, 0.5f);
  std::vector<float> targets(12);
  for (std::size_t i = 0; i < 12; ++i) targets[i] = yv[i] + 0.5f;
  const Tensor tt = Tensor::from_vector({3, 4}, targets);
  expect_grad_matches({3, 4}, random_values(12, 4, 4.f), [&](const Tensor& v) { return bce_with_logits(v, tt); });
}

TEST(Loss, RegressionLossesValuesAndGradients) {
  const Tensor p = Tensor::from_vector({2, 2}, std::vector<float>{1.f, -2.f, 0.5f, 3.f});
  const Tensor t = Tensor::from_vector({2, 2}, std::vector<float>{0.f, -1.f, 0.5f, 0.f});
  EXPECT_NEAR(mse_loss(p, t).loss, (1.0 + 1.0 + 0.0 + 9.0) / 4.0, 1e-7);
  EXPECT_NEAR(l1_loss(p, t).loss, (1.0 + 1.0 + 0.0 + 3.0) / 4.0, 1e-7);
  // smooth L1 beta 1: |d|=1 -> 0.5, |d|=0 -> 0, |d|=3 -> 2.5.
  EXPECT_NEAR(smooth_l1_loss(p, t).loss, (0.5 + 0.5 + 0.0 + 2.5) / 4.0, 1e-7);
  EXPECT_NEAR(smooth_l1_loss(p, t, 2.0f).loss, (0.25 + 0.25 + 0.0 + 2.0) / 4.0, 1e-7);
  EXPECT_NEAR(smooth_l1_loss(p, t, 0.0f).loss, l1_loss(p, t).loss, 1e-7);
  EXPECT_EQ(l1_loss(p, t).grad.to_vector(), (std::vector<float>{0.25f, -0.25f, 0.f, 0.25f}));
  EXPECT_EQ(mse_loss(p, t).grad.to_vector(), (std::vector<float>{0.5f, -0.5f, 0.f, 1.5f}));

  const Dims d{2, 3, 2, 2};
  const Tensor target = Tensor::from_vector(d, random_values(24, 5));
  expect_grad_matches(d, random_values(24, 6), [&](const Tensor& x) { return mse_loss(x, target); });
  // Keep |d| away from the kinks (0 for L1, beta for smooth L1) so differences are smooth.
  std::vector<float> x = random_values(24, 7);
  const auto tv = target.to_vector();
  for (std::size_t i = 0; i < x.size(); ++i)
    if (std::abs(x[i] - tv[i]) < 0.1f || std::abs(std::abs(x[i] - tv[i]) - 0.8f) < 0.1f) x[i] += 0.35f;
  expect_grad_matches(d, x, [&](const Tensor& v) { return l1_loss(v, target); });
  expect_grad_matches(d, x, [&](const Tensor& v) { return smooth_l1_loss(v, target, 0.8f); });
  EXPECT_THROW(mse_loss(p, Tensor::from_vector({4}, std::vector<float>(4, 0.f))), Error);
  EXPECT_THROW(smooth_l1_loss(p, t, -1.f), Error);
}

TEST(Loss, BlockedInputReuseAndThreadIndependence) {
  const Dims d{2, 17, 5, 3};
  const auto xv = random_values(static_cast<std::size_t>(product(d)), 11);
  const auto tv = random_values(xv.size(), 12);
  const Tensor x = Tensor::from_vector(d, xv);
  const Tensor t = Tensor::from_vector(d, tv);
  const Tensor blocked = x.reorder_to(dnnl::memory::desc(d, dnnl::memory::data_type::f32, dnnl::memory::format_tag::nChw16c));
  ASSERT_FALSE(blocked.is_plain());
  const LossResult a = mse_loss(x, t);
  const LossResult b = mse_loss(blocked, t);
  EXPECT_DOUBLE_EQ(a.loss, b.loss);
  EXPECT_EQ(a.grad.to_vector(), b.grad.to_vector());
  const LossResult c = mse_loss(x, t, a.grad);
  EXPECT_EQ(c.grad.raw(), a.grad.raw()) << "the reuse buffer is written in place";

  // Large input: chunked sums identical for 1 and 2 threads.
  const Dims big{4, 3, 100, 100};
  const Tensor bx = Tensor::from_vector(big, random_values(120000, 13));
  const Tensor bt = Tensor::from_vector(big, random_values(120000, 14));
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const double one = l1_loss(bx, bt).loss;
  omp_set_num_threads(2);
  const double two = l1_loss(bx, bt).loss;
  omp_set_num_threads(threads);
  EXPECT_EQ(one, two);
}

TEST(Loss, ArgmaxAndAccuracy) {
  const Tensor logits = Tensor::from_vector({3, 3}, std::vector<float>{0, 5, 1, 2, 2, 0, -1, -2, -0.5f});
  EXPECT_EQ(argmax_classes(logits), (std::vector<int>{1, 0, 2}));
  EXPECT_EQ(count_correct(logits, std::vector<int>{1, 1, 2}), 2);
  EXPECT_EQ(count_correct(logits, std::vector<int>{1, -100, 2}), 2);
  EXPECT_THROW(count_correct(logits, std::vector<int>{1}), Error);
}

}  // namespace
}  // namespace cvpipe::nn
