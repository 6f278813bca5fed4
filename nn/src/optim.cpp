// SGD / Adam / AdamW with PyTorch update rules, and state export for checkpoints. See optim.hpp.
#include "cvpipe/nn/optim.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <immintrin.h>
#include <omp.h>

#include "cvpipe/nn/context.hpp"

namespace cvpipe::nn {
namespace {

// Elementwise loops run in parallel only when the work amortises the fork/join.
constexpr std::int64_t k_parallel_min = 1 << 15;

float* value_ptr(Parameter& p) { return p.value.data<float>(); }
float* grad_ptr(Parameter& p) { return p.grad.data<float>(); }

// Runs kernel(begin, end) over [0, n): one contiguous, 16-aligned slice per OpenMP thread for
// large n, else inline. Elementwise kernels give the same result for any split.
template <class Kernel>
void for_slices(std::int64_t n, Kernel&& kernel) {
  if (n < k_parallel_min) {
    kernel(std::int64_t{0}, n);
    return;
  }
#pragma omp parallel
  {
    const std::int64_t t = omp_get_thread_num(), T = omp_get_num_threads();
    const std::int64_t per = ((n + T - 1) / T + 15) / 16 * 16;
    const std::int64_t b = std::min(n, t * per), e = std::min(n, b + per);
    if (b < e) kernel(b, e);
  }
}

// The update kernels, compiled for AVX-512, AVX2 and baseline x86-64 (picked at load time).
// FP contraction (FMA) is off in them and sqrt/div are exact, so every clone gives identical bits.
#define CVPIPE_KERNEL [[gnu::target_clones("avx512f", "avx2", "default"), gnu::optimize("fp-contract=off")]]

struct SgdCoef {
  float lr, wd, mom, damp;
  bool first, nesterov;
};

CVPIPE_KERNEL void sgd_plain_kernel(float* w, const float* g, std::int64_t n, float lr, float wd) {
#pragma omp simd
  for (std::int64_t i = 0; i < n; ++i) w[i] -= lr * (g[i] + wd * w[i]);
}

CVPIPE_KERNEL void sgd_momentum_kernel(float* w, const float* g, float* buf, std::int64_t n, SgdCoef c) {
  // torch: first step buf = d_p (no dampening), then buf = mom * buf + (1 - dampening) * d_p.
#pragma omp simd
  for (std::int64_t i = 0; i < n; ++i) {
    const float d = g[i] + c.wd * w[i];
    const float b = c.first ? d : c.mom * buf[i] + c.damp * d;
    buf[i] = b;
    w[i] -= c.lr * (c.nesterov ? d + c.mom * b : b);
  }
}

struct AdamCoef {
  float shrink, wd_l2, b1, b2, step_size, inv_sqrt_bc2, eps;
};

// Adam needs sqrt, which GCC will not vectorise while sqrt may set errno (no -fno-math-errno
// here), so it has explicit AVX-512 / AVX2 paths. Each lane performs the scalar operations in the
// same order (no FMA), so all paths produce identical bits.
[[gnu::optimize("fp-contract=off")]] inline float adam_one(float& w, float g, float& m, float& v, const AdamCoef& c) {
  const float wi = w * c.shrink;
  const float d = g + c.wd_l2 * wi;
  const float mi = c.b1 * m + (1.0f - c.b1) * d;
  const float vi = c.b2 * v + (1.0f - c.b2) * d * d;
  m = mi;
  v = vi;
  return wi - c.step_size * mi / (std::sqrt(vi) * c.inv_sqrt_bc2 + c.eps);
}

void adam_scalar(float* w, const float* g, float* m, float* v, std::int64_t n, const AdamCoef& c) {
  for (std::int64_t i = 0; i < n; ++i) w[i] = adam_one(w[i], g[i], m[i], v[i], c);
}

// GCC 12 warns falsely inside _mm512_sqrt_ps (its unmasked form passes an undefined vector).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
[[gnu::target("avx512f"), gnu::optimize("fp-contract=off")]] void adam_avx512(float* w, const float* g, float* m, float* v, std::int64_t n, const AdamCoef& c) {
  const __m512 shrink = _mm512_set1_ps(c.shrink), wd = _mm512_set1_ps(c.wd_l2), b1 = _mm512_set1_ps(c.b1),
               nb1 = _mm512_set1_ps(1.0f - c.b1), b2 = _mm512_set1_ps(c.b2), nb2 = _mm512_set1_ps(1.0f - c.b2),
               step = _mm512_set1_ps(c.step_size), isb = _mm512_set1_ps(c.inv_sqrt_bc2), eps = _mm512_set1_ps(c.eps);
  std::int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 wi = _mm512_mul_ps(_mm512_loadu_ps(w + i), shrink);
    const __m512 d = _mm512_add_ps(_mm512_loadu_ps(g + i), _mm512_mul_ps(wd, wi));
    const __m512 mi = _mm512_add_ps(_mm512_mul_ps(b1, _mm512_loadu_ps(m + i)), _mm512_mul_ps(nb1, d));
    const __m512 vi = _mm512_add_ps(_mm512_mul_ps(b2, _mm512_loadu_ps(v + i)), _mm512_mul_ps(_mm512_mul_ps(nb2, d), d));
    _mm512_storeu_ps(m + i, mi);
    _mm512_storeu_ps(v + i, vi);
    const __m512 denom = _mm512_add_ps(_mm512_mul_ps(_mm512_sqrt_ps(vi), isb), eps);
    _mm512_storeu_ps(w + i, _mm512_sub_ps(wi, _mm512_div_ps(_mm512_mul_ps(step, mi), denom)));
  }
  adam_scalar(w + i, g + i, m + i, v + i, n - i, c);
}

#pragma GCC diagnostic pop

[[gnu::target("avx2"), gnu::optimize("fp-contract=off")]] void adam_avx2(float* w, const float* g, float* m, float* v, std::int64_t n, const AdamCoef& c) {
  const __m256 shrink = _mm256_set1_ps(c.shrink), wd = _mm256_set1_ps(c.wd_l2), b1 = _mm256_set1_ps(c.b1),
               nb1 = _mm256_set1_ps(1.0f - c.b1), b2 = _mm256_set1_ps(c.b2), nb2 = _mm256_set1_ps(1.0f - c.b2),
               step = _mm256_set1_ps(c.step_size), isb = _mm256_set1_ps(c.inv_sqrt_bc2), eps = _mm256_set1_ps(c.eps);
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 wi = _mm256_mul_ps(_mm256_loadu_ps(w + i), shrink);
    const __m256 d = _mm256_add_ps(_mm256_loadu_ps(g + i), _mm256_mul_ps(wd, wi));
    const __m256 mi = _mm256_add_ps(_mm256_mul_ps(b1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(nb1, d));
    const __m256 vi = _mm256_add_ps(_mm256_mul_ps(b2, _mm256_loadu_ps(v + i)), _mm256_mul_ps(_mm256_mul_ps(nb2, d), d));
    _mm256_storeu_ps(m + i, mi);
    _mm256_storeu_ps(v + i, vi);
    const __m256 denom = _mm256_add_ps(_mm256_mul_ps(_mm256_sqrt_ps(vi), isb), eps);
    _mm256_storeu_ps(w + i, _mm256_sub_ps(wi, _mm256_div_ps(_mm256_mul_ps(step, mi), denom)));
  }
  adam_scalar(w + i, g + i, m + i, v + i, n - i, c);
}

void adam_kernel(float* w, const float* g, float* m, float* v, std::int64_t n, const AdamCoef& c) {
  static const int isa = __builtin_cpu_supports("avx512f") ? 2 : (__builtin_cpu_supports("avx2") ? 1 : 0);
  if (isa == 2) adam_avx512(w, g, m, v, n, c);
  else if (isa == 1) adam_avx2(w, g, m, v, n, c);
  else adam_scalar(w, g, m, v, n, c);
}

CVPIPE_KERNEL void scale_kernel(float* g, std::int64_t n, float c) {
#pragma omp simd
  for (std::int64_t i = 0; i < n; ++i) g[i] *= c;
}

}  // namespace

Optimizer::Optimizer(std::vector<Parameter*> params, double lr) : params_(std::move(params)), lr_(lr) {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i]) throw std::invalid_argument(fmt::format("optimizer: parameter {} is null", i));
    if (!params_[i]->value.defined() || !params_[i]->grad.defined())
      throw std::invalid_argument(fmt::format("optimizer: parameter {} ('{}') has no value or grad", i, params_[i]->name));
    if (!params_[i]->value.is_plain() || !params_[i]->grad.is_plain() || params_[i]->value.dtype() != DType::f32)
      throw std::invalid_argument(fmt::format("optimizer: parameter {} ('{}') is not plain f32", i, params_[i]->name));
  }
  if (!(lr >= 0)) throw std::invalid_argument(fmt::format("optimizer: lr {} must be >= 0", lr));
  state_.resize(params_.size());
}

void Optimizer::step() {
  if (gradient_hook_) gradient_hook_(params_);
  ++steps_;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    update(i, *params_[i], steps_);
    params_[i]->mark_updated();
  }
}

void Optimizer::zero_grad() {
  for (auto* p : params_) p->zero_grad();
}

std::vector<float>& Optimizer::buffer(std::size_t i, std::size_t b) {
  auto& slots = state_[i];
  if (slots.size() <= b) slots.resize(buffer_names().size());
  if (slots[b].empty()) slots[b].assign(static_cast<std::size_t>(params_[i]->numel()), 0.0f);
  return slots[b];
}

bool Optimizer::has_buffer(std::size_t i, std::size_t b) const {
  return state_[i].size() > b && !state_[i][b].empty();
}

void Optimizer::export_state(SafeTensors& out, const std::string& prefix) const {
  out.metadata[prefix + "type"] = type();
  out.metadata[prefix + "steps"] = std::to_string(steps_);
  out.metadata[prefix + "lr"] = fmt::format("{:.17g}", lr_);
  out.metadata[prefix + "num_params"] = std::to_string(params_.size());
  const auto names = buffer_names();
  for (std::size_t i = 0; i < params_.size(); ++i)
    for (std::size_t b = 0; b < names.size(); ++b)
      if (has_buffer(i, b))
        out.set_f32(fmt::format("{}{}.{}", prefix, i, names[b]), params_[i]->value.dims(), state_[i][b]);
}

Status Optimizer::check_state(const SafeTensors& in, const std::string& prefix, const std::string& label) const {
  return read_state(in, prefix, label, nullptr);
}

Status Optimizer::import_state(const SafeTensors& in, const std::string& prefix, const std::string& label) {
  LoadedState loaded;
  CVPIPE_RETURN_IF_ERROR(read_state(in, prefix, label, &loaded));
  state_ = std::move(loaded.buffers);
  steps_ = loaded.steps;
  if (loaded.lr >= 0) lr_ = loaded.lr;
  return Status::success();
}

Status Optimizer::read_state(const SafeTensors& in, const std::string& prefix, const std::string& label,
                             LoadedState* out) const {
  auto meta = [&](const std::string& key) -> const std::string* {
    auto it = in.metadata.find(prefix + key);
    return it == in.metadata.end() ? nullptr : &it->second;
  };
  const std::string* t = meta("type");
  const std::string* s = meta("steps");
  const std::string* n = meta("num_params");
  if (!t || !s || !n) return Status::io(fmt::format("{}: no optimizer state under '{}'", label, prefix));
  if (*t != type())
    return Status::invalid(fmt::format("{}: optimizer state '{}' is for {}, this run uses {}", label, prefix, *t, type()));
  if (*n != std::to_string(params_.size()))
    return Status::invalid(fmt::format("{}: optimizer state '{}' has {} parameters, the model has {}", label, prefix, *n,
                                       params_.size()));
  std::int64_t steps = 0;
  try {
    steps = std::stoll(*s);
  } catch (const std::exception&) {
    return Status::io(fmt::format("{}: bad optimizer step count '{}'", label, *s));
  }
  const auto names = buffer_names();
  std::vector<std::vector<std::vector<float>>> state(params_.size());
  for (std::size_t i = 0; i < params_.size(); ++i) {
    state[i].resize(names.size());
    for (std::size_t b = 0; b < names.size(); ++b) {
      const std::string key = fmt::format("{}{}.{}", prefix, i, names[b]);
      const StTensor* st = in.find(key);
      if (!st) continue;  // never created (e.g. no momentum yet): stays lazy
      if (st->numel() != params_[i]->numel())
        return Status::invalid(fmt::format("{}: optimizer buffer '{}' has shape {}, parameter {} ('{}') has {}", label, key,
                                           st_shape_string(st->shape), i, params_[i]->name, dims_string(params_[i]->value.dims())));
      if (out) state[i][b] = st->to_f32();
    }
  }
  if (out) {
    out->buffers = std::move(state);
    out->steps = steps;
    const std::string* lr = meta("lr");
    out->lr = lr ? std::strtod(lr->c_str(), nullptr) : -1.0;
  }
  return Status::success();
}

Sgd::Sgd(std::vector<Parameter*> params, SgdOptions options) : Optimizer(std::move(params), options.lr), o_(options) {
  if (o_.momentum < 0 || o_.weight_decay < 0)
    throw std::invalid_argument("SGD: momentum and weight_decay must be >= 0");
  if (o_.nesterov && (o_.momentum <= 0 || o_.dampening != 0))
    throw std::invalid_argument("SGD: Nesterov momentum requires momentum > 0 and dampening = 0");
}

void Sgd::update(std::size_t index, Parameter& p, std::int64_t) {
  const std::int64_t n = p.numel();
  float* w = value_ptr(p);
  const float* g = grad_ptr(p);
  const float lr = static_cast<float>(lr_);
  const float wd = (p.decay || o_.decay_all) ? static_cast<float>(o_.weight_decay) : 0.0f;
  const float mom = static_cast<float>(o_.momentum);
  const float damp = 1.0f - static_cast<float>(o_.dampening);
  if (mom == 0.0f) {
    for_slices(n, [&](std::int64_t b, std::int64_t e) { sgd_plain_kernel(w + b, g + b, e - b, lr, wd); });
    return;
  }
  const SgdCoef c{lr, wd, mom, damp, !has_buffer(index, 0), o_.nesterov};
  float* buf = buffer(index, 0).data();
  for_slices(n, [&](std::int64_t b, std::int64_t e) { sgd_momentum_kernel(w + b, g + b, buf + b, e - b, c); });
}

Adam::Adam(std::vector<Parameter*> params, AdamOptions options, bool decoupled)
    : Optimizer(std::move(params), options.lr), o_(options), decoupled_(decoupled) {
  if (o_.beta1 < 0 || o_.beta1 >= 1 || o_.beta2 < 0 || o_.beta2 >= 1)
    throw std::invalid_argument(fmt::format("{}: betas must be in [0, 1)", type()));
  if (o_.eps < 0 || o_.weight_decay < 0) throw std::invalid_argument(fmt::format("{}: eps and weight_decay must be >= 0", type()));
}

void Adam::update(std::size_t index, Parameter& p, std::int64_t step) {
  const std::int64_t n = p.numel();
  float* w = value_ptr(p);
  const float* g = grad_ptr(p);
  float* m = buffer(index, 0).data();
  float* v = buffer(index, 1).data();
  const bool decay = p.decay || o_.decay_all;
  const float wd_l2 = (!decoupled_ && decay) ? static_cast<float>(o_.weight_decay) : 0.0f;
  const float shrink = (decoupled_ && decay) ? static_cast<float>(1.0 - lr_ * o_.weight_decay) : 1.0f;
  const float b1 = static_cast<float>(o_.beta1), b2 = static_cast<float>(o_.beta2);
  const double bc1 = 1.0 - std::pow(o_.beta1, static_cast<double>(step));
  const double bc2 = 1.0 - std::pow(o_.beta2, static_cast<double>(step));
  const float step_size = static_cast<float>(lr_ / bc1);
  const float inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(bc2));
  const AdamCoef c{shrink, wd_l2, b1, b2, step_size, inv_sqrt_bc2, static_cast<float>(o_.eps)};
  for_slices(n, [&](std::int64_t b, std::int64_t e) { adam_kernel(w + b, g + b, m + b, v + b, e - b, c); });
}

double clip_grad_norm(const std::vector<Parameter*>& params, double max_norm) {
  double sq = 0.0;
  for (auto* p : params) {
    const float* g = grad_ptr(*p);
    const std::int64_t n = p->numel();
    double s = 0.0;
    for (std::int64_t i = 0; i < n; ++i) s += static_cast<double>(g[i]) * g[i];
    sq += s;
  }
  const double norm = std::sqrt(sq);
  const double coef = max_norm / (norm + 1e-6);
  if (coef < 1.0) {
    const float c = static_cast<float>(coef);
    for (auto* p : params) {
      float* g = grad_ptr(*p);
      const std::int64_t n = p->numel();
      for_slices(n, [&](std::int64_t b, std::int64_t e) { scale_kernel(g + b, e - b, c); });
    }
  }
  return norm;
}

std::unique_ptr<Optimizer> make_optimizer(const OptimizerSpec& spec, std::vector<Parameter*> params) {
  std::string name = spec.name;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name == "sgd")
    return std::make_unique<Sgd>(std::move(params), SgdOptions{.lr = spec.lr, .momentum = spec.momentum, .dampening = 0.0,
                                                                .weight_decay = spec.weight_decay, .nesterov = spec.nesterov,
                                                                .decay_all = false});
  AdamOptions a{.lr = spec.lr, .beta1 = spec.beta1, .beta2 = spec.beta2, .eps = spec.eps, .weight_decay = spec.weight_decay,
                .decay_all = false};
  if (name == "adam") return std::make_unique<Adam>(std::move(params), a);
  if (name == "adamw") return std::make_unique<AdamW>(std::move(params), a);
  throw std::invalid_argument(fmt::format("unknown optimizer '{}' (expected sgd, adam or adamw)", spec.name));
}

}  // namespace cvpipe::nn
