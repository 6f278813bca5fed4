// Flatten: [N, C, H, W] -> [N, C*H*W] in row-major NCHW order (a view when the input is plain).
#include "../caches.hpp"
#include "cvpipe/nn/layers.hpp"

namespace cvpipe::nn {

using namespace detail;

struct Flatten::Impl {
  Dims in_dims;
  Converter x_conv, dy_conv;
  bool ready = false;
};

Flatten::Flatten() : impl_(std::make_unique<Impl>()) {}
Flatten::~Flatten() = default;
void Flatten::reset_plans() {
  impl_->x_conv.reset();
  impl_->dy_conv.reset();
  impl_->ready = false;
}

Dims Flatten::output_dims(const std::vector<Dims>& in) const {
  if (in.size() != 1 || in[0].size() < 2) fail("expects one input of rank >= 2");
  Dims y{in[0][0], 1};
  for (std::size_t i = 1; i < in[0].size(); ++i) y[1] *= in[0][i];
  return y;
}

Tensor Flatten::forward(const Tensor& x) {
  auto& I = *impl_;
  if (!x.defined()) fail("forward got an undefined tensor");
  Dims yd = output_dims({x.dims()});
  I.in_dims = x.dims();
  I.ready = true;
  Tensor p = I.x_conv(x, plain_desc(x.dims(), x.dtype()));
  return p.reshape(yd);
}

Tensor Flatten::backward(const Tensor& dy) {
  auto& I = *impl_;
  if (!I.ready) fail("backward() needs a forward() first");
  if (dy.numel() != product(I.in_dims) || dy.ndims() != 2) fail("backward got dy " + dims_string(dy.dims()));
  if (!needs_input_grad_) return {};
  Tensor p = I.dy_conv(dy, plain_desc(dy.dims(), dy.dtype()));
  return p.reshape(I.in_dims);
}

}  // namespace cvpipe::nn
