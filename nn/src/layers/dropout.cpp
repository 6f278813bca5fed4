// Dropout: inverted dropout with a counter-based hash mask (deterministic per seed, any threads).
#include <omp.h>

#include "../caches.hpp"
#include "../descs.hpp"
#include "../raw_ops.hpp"
#include "cvpipe/nn/layers.hpp"

namespace cvpipe::nn {

using namespace detail;

namespace {
inline std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// out[i] = in[i] * mask[i] * scale over raw buffers of `n` elements of type `type`.
void apply(const void* in, void* out, const std::uint8_t* mask, std::int64_t n, float scale, dt type) {
  if (type == dt::f32) {
    const float* a = static_cast<const float*>(in);
    float* b = static_cast<float*>(out);
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) b[i] = mask[i] ? a[i] * scale : 0.f;
  } else {
    const std::uint16_t* a = static_cast<const std::uint16_t*>(in);
    std::uint16_t* b = static_cast<std::uint16_t*>(out);
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) b[i] = mask[i] ? f32_to_bf16_bits(bf16_bits_to_f32(a[i]) * scale) : 0;
  }
}
}  // namespace

struct Dropout::Impl {
  float p;
  std::uint64_t seed;
  std::uint64_t calls = 0;
  md key;
  Tensor y, dx;
  std::vector<std::uint8_t> mask;
  Converter dy_conv;
  bool ready = false;
};

Dropout::Dropout(float p, std::uint64_t seed) : impl_(std::make_unique<Impl>()) {
  if (!(p >= 0.f && p <= 1.f)) fail("p must be in [0, 1]");
  impl_->p = p;
  impl_->seed = seed;
}
Dropout::~Dropout() = default;
float Dropout::p() const { return impl_->p; }
void Dropout::reset_plans() {
  impl_->ready = false;
  impl_->y = {};
  impl_->dx = {};
}

Tensor Dropout::forward(const Tensor& x) {
  auto& I = *impl_;
  if (!x.defined()) fail("forward got an undefined tensor");
  if (!training_ || I.p == 0.f) {
    I.ready = false;
    I.key = x.desc();
    I.mask.assign(0, 0);
    if (training_) I.ready = true;  // identity with all-ones mask (mask empty)
    return x;
  }
  md xd = x.desc();
  if (!(I.key == xd) || !I.y.defined()) {
    I.key = xd;
    I.y = Tensor::empty(xd);
    I.dx = Tensor::empty(xd);
  }
  const std::int64_t n = static_cast<std::int64_t>(x.raw_size());
  I.mask.resize(static_cast<std::size_t>(n));
  const std::uint64_t base = mix(I.seed ^ mix(++I.calls));
  // keep when the 24-bit uniform draw is >= p
  const std::uint32_t threshold = static_cast<std::uint32_t>(static_cast<double>(I.p) * 16777216.0);
  std::uint8_t* m = I.mask.data();
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) m[i] = (mix(base + static_cast<std::uint64_t>(i)) >> 40) >= threshold;
  const float scale = I.p < 1.f ? 1.f / (1.f - I.p) : 0.f;
  apply(x.raw(), I.y.raw(), m, n, scale, xd.data_type());
  I.ready = true;
  return I.y;
}

Tensor Dropout::backward(const Tensor& dy) {
  auto& I = *impl_;
  if (!I.ready) fail("backward() needs a forward() in training mode first");
  if (dy.dims() != I.key.dims()) fail("backward got dy " + dims_string(dy.dims()) + ", expected " + dims_string(I.key.dims()));
  if (!needs_input_grad_) return {};
  if (I.mask.empty()) return dy;
  Tensor d = I.dy_conv(dy, I.key);
  const float scale = I.p < 1.f ? 1.f / (1.f - I.p) : 0.f;
  apply(d.raw(), I.dx.raw(), I.mask.data(), static_cast<std::int64_t>(I.mask.size()), scale, I.key.data_type());
  return I.dx;
}

}  // namespace cvpipe::nn
