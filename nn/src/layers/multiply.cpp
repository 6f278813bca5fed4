// Multiply: elementwise product of two inputs of equal dims (gating: features * sigmoid(gate)).
// The second input is brought to the first one's layout and type; the output takes that desc.
// Gradient: d(a) = dy * b, d(b) = dy * a (dy brought to the same desc first).
#include "../caches.hpp"
#include "../descs.hpp"
#include "../raw_ops.hpp"
#include "../serial.hpp"
#include "cvpipe/nn/layers.hpp"

namespace cvpipe::nn {

using namespace detail;

namespace {

// dst = a * b over raw buffers sharing dst's desc (padding stays zero: a's padding is zero).
void raw_product(const Tensor& a, const Tensor& b, Tensor& dst) {
  const auto n = static_cast<std::int64_t>(dst.raw_size());
  if (dst.dtype() == DType::f32) {
    const auto* pa = static_cast<const float*>(a.raw());
    const auto* pb = static_cast<const float*>(b.raw());
    auto* d = static_cast<float*>(dst.raw());
#pragma omp parallel for schedule(static) if (!serial_bytes(static_cast<std::size_t>(n) * 12))
    for (std::int64_t i = 0; i < n; ++i) d[i] = pa[i] * pb[i];
  } else {
    const auto* pa = static_cast<const std::uint16_t*>(a.raw());
    const auto* pb = static_cast<const std::uint16_t*>(b.raw());
    auto* d = static_cast<std::uint16_t*>(dst.raw());
#pragma omp parallel for schedule(static) if (!serial_bytes(static_cast<std::size_t>(n) * 6))
    for (std::int64_t i = 0; i < n; ++i) d[i] = f32_to_bf16_bits(bf16_bits_to_f32(pa[i]) * bf16_bits_to_f32(pb[i]));
  }
}

}  // namespace

struct Multiply::Impl {
  Converter conv_b, conv_dy;
  Tensor a, b;  // the forward inputs, b in a's desc
  Tensor y, da, db;
  bool ready = false;
};

Multiply::Multiply() : impl_(std::make_unique<Impl>()) {}
Multiply::~Multiply() = default;
void Multiply::reset_plans() {
  impl_->conv_b.reset();
  impl_->conv_dy.reset();
  impl_->a = impl_->b = impl_->y = impl_->da = impl_->db = {};
  impl_->ready = false;
}
void Multiply::set_dtype(DType dtype) { dtype_ = dtype; }

Dims Multiply::output_dims(const std::vector<Dims>& in) const {
  if (in.size() != 2) fail("needs exactly two inputs, got " + std::to_string(in.size()));
  if (in[0] != in[1]) fail("inputs differ in dims: " + dims_string(in[0]) + " vs " + dims_string(in[1]));
  return in[0];
}

Tensor Multiply::forward(const Tensor&) { fail("needs two inputs (use it in a Graph)"); }

Tensor Multiply::forward_n(std::span<const Tensor> xs) {
  auto& I = *impl_;
  if (xs.size() != 2 || !xs[0].defined() || !xs[1].defined()) fail("forward needs two defined inputs");
  output_dims({xs[0].dims(), xs[1].dims()});
  const md want = xs[0].desc();
  I.a = xs[0];
  I.b = I.conv_b(xs[1], want);
  if (!I.y.defined() || !(I.y.desc() == want)) I.y = Tensor::empty(want);
  raw_product(I.a, I.b, I.y);
  I.ready = true;
  return I.y;
}

std::vector<Tensor> Multiply::backward_n(const Tensor& dy_in) {
  auto& I = *impl_;
  if (!I.ready) fail("backward() needs a forward() first");
  if (dy_in.dims() != I.a.dims()) fail("backward got dy " + dims_string(dy_in.dims()) + ", expected " + dims_string(I.a.dims()));
  const md want = I.a.desc();
  const Tensor dy = I.conv_dy(dy_in, want);
  if (!I.da.defined() || !(I.da.desc() == want)) I.da = Tensor::empty(want);
  if (!I.db.defined() || !(I.db.desc() == want)) I.db = Tensor::empty(want);
  raw_product(dy, I.b, I.da);
  raw_product(dy, I.a, I.db);
  return {I.da, I.db};
}

Tensor Multiply::backward(const Tensor& dy) { return backward_n(dy).front(); }

}  // namespace cvpipe::nn
