// MaxPool2d, AvgPool2d and GlobalAvgPool over the shared PoolEngine (floor mode, as torch).
#include "cvpipe/nn/layers.hpp"
#include "pool_engine.hpp"

namespace cvpipe::nn {

using namespace detail;

namespace {
Dims pool_out(const Layer& l, const std::vector<Dims>& in, std::int64_t k, std::int64_t s, std::int64_t p) {
  if (in.size() != 1 || in[0].size() != 4)
    throw Error(l.type() + " '" + l.name() + "': expects one 4-D input [N, C, H, W]");
  const Dims& x = in[0];
  if (x[2] + 2 * p < k || x[3] + 2 * p < k)
    throw Error(l.type() + " '" + l.name() + "': input " + dims_string(x) + " is smaller than the kernel");
  return {x[0], x[1], (x[2] + 2 * p - k) / s + 1, (x[3] + 2 * p - k) / s + 1};
}
}  // namespace

struct MaxPool2d::Impl {
  std::int64_t k, s, p;
  PoolEngine eng;
};

MaxPool2d::MaxPool2d(std::int64_t k, std::int64_t s, std::int64_t p) : impl_(std::make_unique<Impl>()) {
  if (s <= 0) s = k;
  if (k <= 0 || p < 0 || 2 * p > k) fail("invalid kernel " + std::to_string(k) + " / padding " + std::to_string(p));
  impl_->k = k, impl_->s = s, impl_->p = p;
  impl_->eng.algo = dnnl::algorithm::pooling_max;
}
MaxPool2d::~MaxPool2d() = default;
Dims MaxPool2d::output_dims(const std::vector<Dims>& in) const { return pool_out(*this, in, impl_->k, impl_->s, impl_->p); }
Tensor MaxPool2d::forward(const Tensor& x) {
  auto& I = *impl_;
  I.eng.who = "MaxPool2d '" + name_ + "'";
  return I.eng.forward(x, output_dims({x.dims()}), {I.k, I.k}, {I.s, I.s}, {I.p, I.p}, training_);
}
Tensor MaxPool2d::backward(const Tensor& dy) { return impl_->eng.backward(dy); }
void MaxPool2d::set_dtype(DType dtype) { dtype_ = dtype; }
void MaxPool2d::reset_plans() { impl_->eng.reset(); }

struct AvgPool2d::Impl {
  std::int64_t k, s, p;
  PoolEngine eng;
};

AvgPool2d::AvgPool2d(std::int64_t k, std::int64_t s, std::int64_t p, bool include_pad)
    : impl_(std::make_unique<Impl>()) {
  if (s <= 0) s = k;
  if (k <= 0 || p < 0 || 2 * p > k) fail("invalid kernel " + std::to_string(k) + " / padding " + std::to_string(p));
  impl_->k = k, impl_->s = s, impl_->p = p;
  impl_->eng.algo = include_pad ? dnnl::algorithm::pooling_avg_include_padding
                                : dnnl::algorithm::pooling_avg_exclude_padding;
}
AvgPool2d::~AvgPool2d() = default;
Dims AvgPool2d::output_dims(const std::vector<Dims>& in) const { return pool_out(*this, in, impl_->k, impl_->s, impl_->p); }
Tensor AvgPool2d::forward(const Tensor& x) {
  auto& I = *impl_;
  I.eng.who = "AvgPool2d '" + name_ + "'";
  return I.eng.forward(x, output_dims({x.dims()}), {I.k, I.k}, {I.s, I.s}, {I.p, I.p}, training_);
}
Tensor AvgPool2d::backward(const Tensor& dy) { return impl_->eng.backward(dy); }
void AvgPool2d::set_dtype(DType dtype) { dtype_ = dtype; }
void AvgPool2d::reset_plans() { impl_->eng.reset(); }

struct GlobalAvgPool::Impl {
  PoolEngine eng;
};

GlobalAvgPool::GlobalAvgPool() : impl_(std::make_unique<Impl>()) {
  impl_->eng.algo = dnnl::algorithm::pooling_avg_exclude_padding;
}
GlobalAvgPool::~GlobalAvgPool() = default;
Dims GlobalAvgPool::output_dims(const std::vector<Dims>& in) const {
  if (in.size() != 1 || in[0].size() != 4) fail("expects one 4-D input [N, C, H, W]");
  return {in[0][0], in[0][1], 1, 1};
}
Tensor GlobalAvgPool::forward(const Tensor& x) {
  auto& I = *impl_;
  I.eng.who = "GlobalAvgPool '" + name_ + "'";
  Dims yd = output_dims({x.dims()});
  Dims k{x.dim(2), x.dim(3)};
  return I.eng.forward(x, yd, k, k, {0, 0}, training_);
}
Tensor GlobalAvgPool::backward(const Tensor& dy) { return impl_->eng.backward(dy); }
void GlobalAvgPool::set_dtype(DType dtype) { dtype_ = dtype; }
void GlobalAvgPool::reset_plans() { impl_->eng.reset(); }

WindowGeometry MaxPool2d::geometry() const { return {impl_->k, impl_->s, impl_->p, 1, 1, 0, true}; }
WindowGeometry AvgPool2d::geometry() const {
  return {impl_->k, impl_->s, impl_->p, 1, 1, 0, impl_->eng.algo == dnnl::algorithm::pooling_avg_include_padding};
}
}  // namespace cvpipe::nn
