// Add: elementwise sum of several inputs (oneDNN sum; inputs may differ in layout). The output takes
// the first input's layout and type; gradient: dy passed unchanged to every input.
#include "../caches.hpp"
#include "../descs.hpp"
#include "cvpipe/nn/layers.hpp"

namespace cvpipe::nn {

using namespace detail;

struct Add::Impl {
  Summer summer;
  std::vector<Converter> convs;
  Tensor y;
  std::size_t n = 0;
  Dims dims;
  bool ready = false;
};

Add::Add() : impl_(std::make_unique<Impl>()) {}
Add::~Add() = default;
void Add::reset_plans() {
  impl_->summer.reset();
  impl_->convs.clear();
  impl_->y = {};
  impl_->ready = false;
}
void Add::set_dtype(DType dtype) { dtype_ = dtype; }

Dims Add::output_dims(const std::vector<Dims>& in) const {
  if (in.empty()) fail("needs at least one input");
  for (auto& d : in)
    if (d != in[0]) fail("inputs differ in dims: " + dims_string(in[0]) + " vs " + dims_string(d));
  return in[0];
}

Tensor Add::forward(const Tensor& x) { return forward_n(std::span<const Tensor>(&x, 1)); }

Tensor Add::forward_n(std::span<const Tensor> xs) {
  auto& I = *impl_;
  std::vector<Dims> dims;
  for (auto& x : xs) {
    if (!x.defined()) fail("forward got an undefined tensor");
    dims.push_back(x.dims());
  }
  I.dims = output_dims(dims);
  I.n = xs.size();
  I.ready = true;
  md out = xs[0].desc();
  if (!I.y.defined() || !(I.y.desc() == out)) I.y = Tensor::empty(out);
  if (I.convs.size() < xs.size()) I.convs.resize(xs.size());
  std::vector<Tensor> srcs;
  srcs.reserve(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i)
    srcs.push_back(xs[i].dtype() == xs[0].dtype() ? xs[i] : I.convs[i](xs[i], with_dtype(xs[i].desc(), out.data_type())));
  try {
    I.summer.run(srcs, I.y);
  } catch (const dnnl::error& e) {
    fail(std::string("oneDNN error: ") + e.what());
  }
  return I.y;
}

std::vector<Tensor> Add::backward_n(const Tensor& dy) {
  auto& I = *impl_;
  if (!I.ready) fail("backward() needs a forward() first");
  if (dy.dims() != I.dims) fail("backward got dy " + dims_string(dy.dims()) + ", expected " + dims_string(I.dims));
  return std::vector<Tensor>(I.n, dy);
}

Tensor Add::backward(const Tensor& dy) { return backward_n(dy).front(); }

}  // namespace cvpipe::nn
