// Optimizers: parameter trajectories equal PyTorch's (values recorded from torch 1.13 and an
// independent double-precision reference of the documented update rules), decay flags, state
// export/import continuing bit-identically, gradient clipping, and the recipe factory.
#include "cvpipe/nn/optim.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::nn {
namespace {

// p0 = [1, -2, 0.5]; step t (1-based) sees grad [0.1 t, -0.2, 0.3 - 0.05 t].
std::vector<float> run(Optimizer& opt, Parameter& p, int steps, int first_step = 1) {
  for (int t = first_step; t < first_step + steps; ++t) {
    p.grad.from_vector(std::vector<float>{static_cast<float>(0.1 * t), -0.2f, static_cast<float>(0.3 - 0.05 * t)});
    opt.step();
  }
  return p.value.to_vector();
}

Parameter make_param(bool decay = true) {
  Parameter p("w", {3}, decay);
  p.value.from_vector(std::vector<float>{1.0f, -2.0f, 0.5f});
  return p;
}

void expect_close(const std::vector<float>& got, const std::vector<double>& want, double tol = 2e-6) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol * std::max(1.0, std::abs(want[i]))) << i;
}

// Values printed by torch 1.13 (tests/nn/torch/optim_reference.py).
TEST(Optim, SgdMatchesTorch) {
  {
    Parameter p = make_param();
    Sgd opt({&p}, {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01, .nesterov = true});
    expect_close(run(opt, p, 3), {0.846549988, -1.82322776, 0.327636927});
  }
  {
    Parameter p = make_param();
    Sgd opt({&p}, {.lr = 0.1, .momentum = 0.9, .dampening = 0.1});
    expect_close(run(opt, p, 3), {0.91170001, -1.89359999, 0.384549975});
  }
  {
    Parameter p = make_param();
    Sgd opt({&p}, {.lr = 0.1, .weight_decay = 0.1});
    expect_close(run(opt, p, 3), {0.910697997, -1.88119602, 0.425846994});
  }
}

TEST(Optim, AdamAndAdamWMatchTorch) {
  {
    Parameter p = make_param();
    Adam opt({&p}, {.lr = 0.01, .weight_decay = 0.1});
    expect_close(run(opt, p, 3), {0.970214248, -1.97000241, 0.470368356});
  }
  {
    Parameter p = make_param();
    AdamW opt({&p}, {.lr = 0.01, .weight_decay = 0.1});
    EXPECT_EQ(opt.type(), "AdamW");
    expect_close(run(opt, p, 3), {0.967800856, -1.96403611, 0.469022363});
  }
}

// Independent double-precision Adam over many steps on a larger tensor (exercises the parallel path).
TEST(Optim, AdamLongRunMatchesReference) {
  const std::int64_t n = 70003;  // not a multiple of the vector width: exercises the tails
  Parameter p("w", {n});
  std::vector<float> w0(n);
  for (std::int64_t i = 0; i < n; ++i) w0[i] = std::sin(0.001f * static_cast<float>(i));
  p.value.from_vector(w0);
  Adam opt({&p}, {.lr = 0.003, .beta1 = 0.8, .beta2 = 0.99, .eps = 1e-6, .weight_decay = 0.0});
  std::vector<double> w(w0.begin(), w0.end()), m(n, 0.0), v(n, 0.0);
  for (int t = 1; t <= 20; ++t) {
    std::vector<float> g(n);
    for (std::int64_t i = 0; i < n; ++i) g[i] = std::cos(0.37f * static_cast<float>(i) + t) * (1.0f + (i % 7));
    p.grad.from_vector(g);
    opt.step();
    for (std::int64_t i = 0; i < n; ++i) {
      m[i] = 0.8 * m[i] + 0.2 * g[i];
      v[i] = 0.99 * v[i] + 0.01 * static_cast<double>(g[i]) * g[i];
      const double mh = m[i] / (1 - std::pow(0.8, t)), denom = std::sqrt(v[i]) / std::sqrt(1 - std::pow(0.99, t)) + 1e-6;
      w[i] -= 0.003 * mh / denom;
    }
  }
  const auto got = p.value.to_vector();
  double worst = 0;
  for (std::int64_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(got[i] - w[i]));
  EXPECT_LT(worst, 1e-5);
  EXPECT_EQ(opt.steps(), 20);
}

// The vectorised update equals the scalar float formula bit for bit (no FMA, exact sqrt/div), so
// results do not depend on the CPU's vector width or the thread split.
TEST(Optim, AdamVectorPathIsBitExact) {
  const std::int64_t n = 40037;
  Parameter p("w", {n});
  std::vector<float> w(n), g(n);
  for (std::int64_t i = 0; i < n; ++i) {
    w[i] = std::cos(0.01f * static_cast<float>(i));
    g[i] = std::sin(0.7f * static_cast<float>(i)) * 0.1f;
  }
  p.value.from_vector(w);
  p.grad.from_vector(g);
  AdamW opt({&p}, {.lr = 0.01, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.05});
  opt.step();
  const float shrink = static_cast<float>(1.0 - 0.01 * 0.05), step = static_cast<float>(0.01 / (1.0 - 0.9));
  const float isb = static_cast<float>(1.0 / std::sqrt(1.0 - 0.999));
  const auto got = p.value.to_vector();
  for (std::int64_t i = 0; i < n; ++i) {
    const float wi = w[i] * shrink;
    const float d = g[i] + 0.0f * wi;
    const float mi = 0.9f * 0.0f + (1.0f - 0.9f) * d;
    const float vi = 0.999f * 0.0f + (1.0f - 0.999f) * d * d;
    const float want = wi - step * mi / (std::sqrt(vi) * isb + 1e-8f);
    ASSERT_EQ(got[i], want) << i;
  }
}

TEST(Optim, DecayFlagAndZeroGrad) {
  Parameter a = make_param(true), b = make_param(false);
  Sgd opt({&a, &b}, {.lr = 0.5, .weight_decay = 1.0});
  a.grad.zero();
  b.grad.zero();
  const auto before = a.version;
  opt.step();
  EXPECT_EQ(a.value.to_vector(), (std::vector<float>{0.5f, -1.0f, 0.25f})) << "decayed";
  EXPECT_EQ(b.value.to_vector(), (std::vector<float>{1.0f, -2.0f, 0.5f})) << "decay=false: untouched";
  EXPECT_GT(a.version, before) << "step() marks parameters updated";
  Sgd all({&b}, {.lr = 0.5, .weight_decay = 1.0, .decay_all = true});
  all.step();
  EXPECT_EQ(b.value.to_vector(), (std::vector<float>{0.5f, -1.0f, 0.25f}));
  a.grad.fill(3.0f);
  opt.zero_grad();
  EXPECT_EQ(a.grad.to_vector(), (std::vector<float>(3, 0.0f)));
}

TEST(Optim, StateRoundTripContinuesIdentically) {
  for (const char* name : {"sgd", "adam", "adamw"}) {
    SCOPED_TRACE(name);
    const OptimizerSpec spec{.name = name, .lr = 0.05, .momentum = 0.9, .weight_decay = 0.01};
    Parameter p1 = make_param();
    auto o1 = make_optimizer(spec, {&p1});
    run(*o1, p1, 2);
    SafeTensors st;
    o1->export_state(st, "opt.");
    // A fresh optimizer on a copy of the parameter, restored from the state.
    Parameter p2 = make_param();
    p2.value.from_vector(p1.value.to_vector());
    auto o2 = make_optimizer(spec, {&p2});
    ASSERT_OK(o2->check_state(st, "opt."));
    const Status s = o2->import_state(st, "opt.");
    ASSERT_OK(s);
    EXPECT_EQ(o2->steps(), 2);
    EXPECT_EQ(run(*o1, p1, 3, 3), run(*o2, p2, 3, 3)) << "bit-identical continuation";
  }
}

TEST(Optim, StateImportErrors) {
  Parameter p = make_param();
  Adam adam({&p}, {});
  run(adam, p, 1);
  SafeTensors st;
  adam.export_state(st, "opt.");
  Parameter q = make_param();
  Sgd sgd({&q}, {.momentum = 0.9});
  Status s = sgd.import_state(st, "opt.", "ck.safetensors");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("Adam"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("ck.safetensors"), std::string::npos);
  Parameter r("w", {4});
  Adam other({&r}, {});
  s = other.import_state(st, "opt.", "ck");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("opt.0.exp_avg"), std::string::npos) << s.message();
  EXPECT_EQ(other.steps(), 0) << "nothing changed";
  EXPECT_FALSE(other.import_state(st, "missing.", "ck").ok());
}

TEST(Optim, ClipGradNormAndFactory) {
  Parameter a("a", {2}), b("b", {1});
  a.grad.from_vector(std::vector<float>{3.0f, 0.0f});
  b.grad.from_vector(std::vector<float>{4.0f});
  EXPECT_NEAR(clip_grad_norm({&a, &b}, 1.0), 5.0, 1e-9);
  EXPECT_NEAR(a.grad.to_vector()[0], 0.6, 1e-5);
  EXPECT_NEAR(b.grad.to_vector()[0], 0.8, 1e-5);
  EXPECT_NEAR(clip_grad_norm({&a, &b}, 10.0), 1.0, 1e-5);
  EXPECT_NEAR(a.grad.to_vector()[0], 0.6, 1e-5) << "below the limit: unchanged";
  EXPECT_EQ(make_optimizer({.name = "SGD"}, {&a})->type(), "SGD");
  EXPECT_EQ(make_optimizer({.name = "adamw"}, {&a})->type(), "AdamW");
  EXPECT_THROW(make_optimizer({.name = "rmsprop"}, {&a}), std::invalid_argument);
  EXPECT_THROW(Sgd({&a}, {.lr = 0.1, .momentum = 0.0, .nesterov = true}), std::invalid_argument);
}

}  // namespace
}  // namespace cvpipe::nn
