// Losses and their input gradients. See loss.hpp.
#include "cvpipe/nn/loss.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "cvpipe/nn/context.hpp"
#include "serial.hpp"

namespace cvpipe::nn {
namespace {

constexpr std::int64_t k_chunk = 8192;  // fixed partition: sums do not depend on the thread count

// Plain f32 view of a tensor: its own buffer when already plain f32, else a converted copy.
class PlainF32 {
 public:
  explicit PlainF32(const Tensor& t) {
    if (t.is_plain() && t.dtype() == DType::f32) {
      ptr_ = static_cast<const float*>(t.raw());
    } else {
      copy_ = t.to_vector();
      ptr_ = copy_.data();
    }
  }
  const float* data() const { return ptr_; }

 private:
  const float* ptr_ = nullptr;
  std::vector<float> copy_;
};

Tensor grad_buffer(const Dims& dims, Tensor& reuse) {
  if (reuse.defined() && reuse.is_plain() && reuse.dtype() == DType::f32 && reuse.dims() == dims) return reuse;
  return Tensor::empty(dims);
}

void check_defined(const Tensor& t, const char* loss, const char* what) {
  if (!t.defined()) throw Error(fmt::format("{}: {} tensor is undefined", loss, what));
}

void check_same_dims(const Tensor& a, const Tensor& b, const char* loss) {
  check_defined(a, loss, "input");
  check_defined(b, loss, "target");
  if (a.dims() != b.dims())
    throw Error(fmt::format("{}: input {} and target {} differ in shape", loss, dims_string(a.dims()), dims_string(b.dims())));
}

// Sum over [0, n) of fn(begin, end) (a per-chunk double sum), deterministic for any thread count.
template <class Fn>
double chunked_sum(std::int64_t n, Fn&& fn) {
  const std::int64_t chunks = (n + k_chunk - 1) / k_chunk;
  if (chunks <= 1) return n > 0 ? fn(std::int64_t{0}, n) : 0.0;
  std::vector<double> partial(static_cast<std::size_t>(chunks));
#pragma omp parallel for schedule(static) if (!detail::serial_bytes(static_cast<std::size_t>(n) * 12))
  for (std::int64_t c = 0; c < chunks; ++c) partial[static_cast<std::size_t>(c)] = fn(c * k_chunk, std::min(n, (c + 1) * k_chunk));
  double total = 0.0;
  for (double p : partial) total += p;
  return total;
}

// Elementwise loss over pred/target with a per-element (loss, grad) kernel; grad scaled by 1/n.
template <class Kernel>
LossResult elementwise(const Tensor& pred, const float* target, bool broadcast_target, Tensor& reuse, Kernel&& kernel) {
  const std::int64_t n = pred.numel();
  PlainF32 p(pred);
  LossResult r;
  r.grad = grad_buffer(pred.dims(), reuse);
  float* g = r.grad.data<float>();
  const float* x = p.data();
  const float inv_n = 1.0f / static_cast<float>(n);
  const double sum = chunked_sum(n, [&](std::int64_t b, std::int64_t e) {
    double s = 0.0;
    for (std::int64_t i = b; i < e; ++i) {
      float gi;
      s += kernel(x[i], broadcast_target ? target[0] : target[i], gi);
      g[i] = gi * inv_n;
    }
    return s;
  });
  r.loss = sum / static_cast<double>(n);
  return r;
}

}  // namespace

LossResult cross_entropy(const Tensor& logits, std::span<const int> targets, const CrossEntropyOptions& options,
                         Tensor reuse) {
  check_defined(logits, "cross_entropy", "logits");
  const Dims dims = logits.dims();
  if (dims.size() < 2) throw Error(fmt::format("cross_entropy: logits {} need a class axis (dims [N, C, ...])", dims_string(dims)));
  const std::int64_t N = dims[0], C = dims[1];
  std::int64_t S = 1;
  for (std::size_t i = 2; i < dims.size(); ++i) S *= dims[i];
  if (static_cast<std::int64_t>(targets.size()) != N * S)
    throw Error(fmt::format("cross_entropy: logits {} need {} targets, got {}", dims_string(dims), N * S, targets.size()));
  const float eps = options.label_smoothing;
  if (eps < 0.0f || eps > 1.0f) throw Error(fmt::format("cross_entropy: label_smoothing {} is outside [0, 1]", eps));
  for (std::size_t i = 0; i < targets.size(); ++i)
    if (targets[i] != options.ignore_index && (targets[i] < 0 || targets[i] >= C))
      throw Error(fmt::format("cross_entropy: target {} at index {} is outside [0, {})", targets[i], i, C));

  PlainF32 p(logits);
  const float* x = p.data();
  LossResult r;
  r.grad = grad_buffer(dims, reuse);
  float* g = r.grad.data<float>();
  std::int64_t counted = 0;
  for (int t : targets) counted += t != options.ignore_index;
  const float inv = counted > 0 ? 1.0f / static_cast<float>(counted) : 0.0f;
  const float off = eps / static_cast<float>(C);
  const std::int64_t rows = N * S;
  // Rows are (n, s); class c of row (n, s) sits at n*C*S + c*S + s.
  const double sum = chunked_sum(rows, [&](std::int64_t b, std::int64_t e) {
    double s_loss = 0.0;
    std::vector<double> prob(static_cast<std::size_t>(C));
    for (std::int64_t row = b; row < e; ++row) {
      const std::int64_t n = row / S, s = row % S;
      const float* xr = x + n * C * S + s;
      float* gr = g + n * C * S + s;
      const int t = targets[static_cast<std::size_t>(row)];
      if (t == options.ignore_index) {
        for (std::int64_t c = 0; c < C; ++c) gr[c * S] = 0.0f;
        continue;
      }
      double mx = xr[0];
      for (std::int64_t c = 1; c < C; ++c) mx = std::max(mx, static_cast<double>(xr[c * S]));
      double z = 0.0;
      for (std::int64_t c = 0; c < C; ++c) {
        prob[static_cast<std::size_t>(c)] = std::exp(static_cast<double>(xr[c * S]) - mx);
        z += prob[static_cast<std::size_t>(c)];
      }
      const double lse = mx + std::log(z);
      double nll = lse - xr[t * S];
      if (eps > 0.0f) {
        double mean_neg_logp = 0.0;
        for (std::int64_t c = 0; c < C; ++c) mean_neg_logp += lse - xr[c * S];
        mean_neg_logp /= static_cast<double>(C);
        nll = (1.0 - eps) * nll + eps * mean_neg_logp;
      }
      s_loss += nll;
      for (std::int64_t c = 0; c < C; ++c) {
        const double target_prob = (c == t ? 1.0 - eps : 0.0) + off;
        gr[c * S] = static_cast<float>((prob[static_cast<std::size_t>(c)] / z - target_prob) * inv);
      }
    }
    return s_loss;
  });
  r.loss = counted > 0 ? sum / static_cast<double>(counted) : 0.0;
  return r;
}

LossResult bce_with_logits(const Tensor& logits, const Tensor& targets, Tensor reuse) {
  check_same_dims(logits, targets, "bce_with_logits");
  PlainF32 t(targets);
  return elementwise(logits, t.data(), false, reuse, [](float x, float y, float& g) {
    const float sig = x >= 0 ? 1.0f / (1.0f + std::exp(-x)) : std::exp(x) / (1.0f + std::exp(x));
    g = sig - y;
    return static_cast<double>(std::max(x, 0.0f) - x * y + std::log1p(std::exp(-std::abs(x))));
  });
}

LossResult bce_with_logits(const Tensor& logits, float target, Tensor reuse) {
  check_defined(logits, "bce_with_logits", "input");
  return elementwise(logits, &target, true, reuse, [](float x, float y, float& g) {
    const float sig = x >= 0 ? 1.0f / (1.0f + std::exp(-x)) : std::exp(x) / (1.0f + std::exp(x));
    g = sig - y;
    return static_cast<double>(std::max(x, 0.0f) - x * y + std::log1p(std::exp(-std::abs(x))));
  });
}

LossResult mse_loss(const Tensor& pred, const Tensor& target, Tensor reuse) {
  check_same_dims(pred, target, "mse_loss");
  PlainF32 t(target);
  return elementwise(pred, t.data(), false, reuse, [](float x, float y, float& g) {
    const float d = x - y;
    g = 2.0f * d;
    return static_cast<double>(d) * d;
  });
}

LossResult l1_loss(const Tensor& pred, const Tensor& target, Tensor reuse) {
  check_same_dims(pred, target, "l1_loss");
  PlainF32 t(target);
  return elementwise(pred, t.data(), false, reuse, [](float x, float y, float& g) {
    const float d = x - y;
    g = static_cast<float>((d > 0.0f) - (d < 0.0f));
    return static_cast<double>(std::abs(d));
  });
}

LossResult smooth_l1_loss(const Tensor& pred, const Tensor& target, float beta, Tensor reuse) {
  check_same_dims(pred, target, "smooth_l1_loss");
  if (beta < 0.0f) throw Error(fmt::format("smooth_l1_loss: beta {} must be >= 0", beta));
  PlainF32 t(target);
  return elementwise(pred, t.data(), false, reuse, [beta](float x, float y, float& g) {
    const float d = x - y;
    const float a = std::abs(d);
    if (a < beta) {
      g = d / beta;
      return 0.5 * static_cast<double>(d) * d / beta;
    }
    g = static_cast<float>((d > 0.0f) - (d < 0.0f));
    return static_cast<double>(a) - 0.5 * beta;
  });
}

std::vector<int> argmax_classes(const Tensor& logits) {
  check_defined(logits, "argmax_classes", "logits");
  const Dims dims = logits.dims();
  if (dims.size() < 2) throw Error(fmt::format("argmax_classes: logits {} need a class axis", dims_string(dims)));
  const std::int64_t N = dims[0], C = dims[1];
  std::int64_t S = 1;
  for (std::size_t i = 2; i < dims.size(); ++i) S *= dims[i];
  PlainF32 p(logits);
  const float* x = p.data();
  std::vector<int> out(static_cast<std::size_t>(N * S));
  for (std::int64_t row = 0; row < N * S; ++row) {
    const float* xr = x + (row / S) * C * S + row % S;
    int best = 0;
    for (std::int64_t c = 1; c < C; ++c)
      if (xr[c * S] > xr[best * S]) best = static_cast<int>(c);
    out[static_cast<std::size_t>(row)] = best;
  }
  return out;
}

std::int64_t count_correct(const Tensor& logits, std::span<const int> targets, int ignore_index) {
  const auto pred = argmax_classes(logits);
  if (pred.size() != targets.size())
    throw Error(fmt::format("count_correct: logits {} give {} predictions for {} targets", dims_string(logits.dims()),
                            pred.size(), targets.size()));
  std::int64_t ok = 0;
  for (std::size_t i = 0; i < pred.size(); ++i) ok += targets[i] != ignore_index && pred[i] == targets[i];
  return ok;
}

}  // namespace cvpipe::nn
