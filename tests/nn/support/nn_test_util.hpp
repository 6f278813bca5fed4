// Shared helpers for nn tests: seeded random data, tolerance comparisons, bf16 rounding and a
// double-sided finite-difference gradient check of any Layer on the loss sum(y * r).
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "cvpipe/nn/layer.hpp"
#include "cvpipe/nn/tensor.hpp"

namespace cvpipe::nn::testing {

using Vec = std::vector<float>;

inline Vec random_vec(std::size_t n, std::uint32_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  Vec v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// Values with |v| >= margin (away from ReLU / LeakyReLU kinks).
inline Vec random_away_from_zero(std::size_t n, std::uint32_t seed, float margin = 0.05f) {
  Vec v = random_vec(n, seed);
  for (auto& x : v) x = x >= 0 ? x + margin : x - margin;
  return v;
}

// Distinct values spaced by `gap`, shuffled (max-pool inputs without ties).
inline Vec distinct_vec(std::size_t n, std::uint32_t seed, float gap = 0.01f) {
  Vec v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = (static_cast<float>(i) - static_cast<float>(n) / 2) * gap;
  std::mt19937 rng(seed);
  std::shuffle(v.begin(), v.end(), rng);
  return v;
}

inline float round_bf16(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  u += 0x7fffu + ((u >> 16) & 1u);
  u &= 0xffff0000u;
  std::memcpy(&f, &u, 4);
  return f;
}
inline Vec round_bf16(Vec v) {
  for (auto& x : v) x = round_bf16(x);
  return v;
}

// Every |a_i - r_i| <= rtol * (|r_i| + rms(r)) (rms guards elements near zero).
inline ::testing::AssertionResult close(const Vec& a, const Vec& r, double rtol) {
  if (a.size() != r.size())
    return ::testing::AssertionFailure() << "size " << a.size() << " vs reference " << r.size();
  double rms = 0;
  for (float x : r) rms += static_cast<double>(x) * x;
  rms = std::sqrt(rms / std::max<std::size_t>(1, r.size())) + 1e-12;
  double worst = 0;
  std::size_t wi = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    double e = std::abs(static_cast<double>(a[i]) - r[i]) / (std::abs(static_cast<double>(r[i])) + rms);
    if (!(e <= worst)) worst = e, wi = i;  // NaN-aware
  }
  if (worst <= rtol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "element " << wi << ": got " << a[wi] << ", reference " << r[wi]
                                       << " (scaled error " << worst << " > " << rtol << ")";
}

inline double dot(const Vec& a, const Vec& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

struct GradCheckOptions {
  float eps = 1e-2f;
  double atol = 2e-3;
  double rtol = 2e-2;
  std::size_t max_points = 24;  // sampled elements per tensor
  bool check_inputs = true;
};

// Finite-difference gradient check: inputs are plain f32 tensors (perturbed in place).
inline void grad_check(Layer& layer, std::vector<Tensor> inputs, const GradCheckOptions& o = {},
                       std::uint32_t seed = 7) {
  layer.train(true);
  auto run = [&]() { return layer.forward_n(inputs).to_vector(); };
  Vec y = run();
  Vec r = random_vec(y.size(), seed);
  Tensor dy = Tensor::from_vector(layer.forward_n(inputs).dims(), r);
  layer.zero_grad();
  std::vector<Tensor> dxs = layer.backward_n(dy);
  std::vector<Vec> analytic_in;
  for (auto& d : dxs) analytic_in.push_back(d.defined() ? d.to_vector() : Vec{});
  std::vector<Vec> analytic_p;
  auto params = layer.named_parameters();
  for (auto& np : params) analytic_p.push_back(np.param->grad.to_vector());

  std::mt19937 rng(seed + 1);
  auto check = [&](float* data, std::size_t n, const Vec& an, const std::string& what, Parameter* p) {
    std::vector<std::size_t> idx(n);
    for (std::size_t i = 0; i < n; ++i) idx[i] = i;
    std::shuffle(idx.begin(), idx.end(), rng);
    idx.resize(std::min(n, o.max_points));
    for (std::size_t i : idx) {
      const float keep = data[i];
      data[i] = keep + o.eps;
      if (p) p->mark_updated();
      double lp = dot(run(), r);
      data[i] = keep - o.eps;
      if (p) p->mark_updated();
      double lm = dot(run(), r);
      data[i] = keep;
      if (p) p->mark_updated();
      double fd = (lp - lm) / (2.0 * o.eps);
      double a = an[i];
      EXPECT_LE(std::abs(fd - a), o.atol + o.rtol * std::max(std::abs(fd), std::abs(a)))
          << layer.type() << " '" << layer.name() << "' d/d" << what << "[" << i << "]: finite difference " << fd
          << " vs backward " << a;
    }
  };
  if (o.check_inputs)
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      if (analytic_in[k].empty()) continue;
      check(inputs[k].data<float>(), static_cast<std::size_t>(inputs[k].numel()), analytic_in[k],
            "input" + std::to_string(k), nullptr);
    }
  for (std::size_t k = 0; k < params.size(); ++k)
    check(params[k].param->value.data<float>(), static_cast<std::size_t>(params[k].param->numel()), analytic_p[k],
          params[k].name, params[k].param);
}

inline void grad_check(Layer& layer, Tensor input, const GradCheckOptions& o = {}, std::uint32_t seed = 7) {
  grad_check(layer, std::vector<Tensor>{std::move(input)}, o, seed);
}

// Fills every parameter of `layer` with seeded uniform values in [lo, hi].
inline void randomize(Layer& layer, std::uint32_t seed, float lo = -0.5f, float hi = 0.5f) {
  for (auto& np : layer.named_parameters()) {
    np.param->value.from_vector(random_vec(static_cast<std::size_t>(np.param->numel()), seed++, lo, hi));
    np.param->mark_updated();
  }
}

}  // namespace cvpipe::nn::testing
