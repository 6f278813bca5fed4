// ConvTranspose2d: oneDNN deconvolution; master weight [I, O, k, k] (torch) viewed as oneDNN's
// {O, I, k, k} in iohw order, so the bytes are shared without transposition.
#include "../conv_engine.hpp"
#include "cvpipe/nn/layers.hpp"

namespace cvpipe::nn {

using namespace detail;
using DeconvE = ConvEngine<dnnl::deconvolution_forward, dnnl::deconvolution_backward_data,
                           dnnl::deconvolution_backward_weights>;

struct ConvTranspose2d::Impl {
  std::int64_t in, out, k, stride, pad, out_pad;
  Parameter weight;
  std::optional<Parameter> bias;
  DeconvE eng;
};

ConvTranspose2d::ConvTranspose2d(std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t stride,
                                 std::int64_t pad, std::int64_t out_pad, bool bias)
    : impl_(std::make_unique<Impl>()) {
  auto& I = *impl_;
  if (in <= 0 || out <= 0 || k <= 0 || stride <= 0 || pad < 0 || out_pad < 0)
    fail("invalid hyper-parameters (in=" + std::to_string(in) + " out=" + std::to_string(out) +
         " k=" + std::to_string(k) + " stride=" + std::to_string(stride) + " pad=" + std::to_string(pad) +
         " output_padding=" + std::to_string(out_pad) + ")");
  if (out_pad >= stride) fail("output_padding must be smaller than stride");
  I.in = in, I.out = out, I.k = k, I.stride = stride, I.pad = pad, I.out_pad = out_pad;
  I.weight = Parameter("weight", {in, out, k, k});
  if (bias) I.bias.emplace("bias", Dims{out}, false);
  auto& g = I.eng.g;
  g.algo = dnnl::algorithm::deconvolution_direct;
  g.strides = {stride, stride};
  g.dilates = {0, 0};
  g.pad_l = {pad, pad};
  g.pad_r = {pad, pad};  // floor semantics absorb output_padding (< stride)
  g.out_channels = out;
  g.w_dims = {out, in, k, k};
  g.w_user = md(g.w_dims, dt::f32, tag::iohw);
  g.plain_dst = out <= 4 && stride > 1;
  I.eng.who = "ConvTranspose2d";
}

ConvTranspose2d::~ConvTranspose2d() = default;

Dims ConvTranspose2d::output_dims(const std::vector<Dims>& in) const {
  auto& I = *impl_;
  if (in.size() != 1 || in[0].size() != 4) fail("expects one 4-D input [N, C, H, W]");
  const Dims& x = in[0];
  if (x[1] != I.in) fail("expects " + std::to_string(I.in) + " input channels, got " + dims_string(x));
  std::int64_t h = (x[2] - 1) * I.stride - 2 * I.pad + I.k + I.out_pad;
  std::int64_t w = (x[3] - 1) * I.stride - 2 * I.pad + I.k + I.out_pad;
  if (h <= 0 || w <= 0) fail("input " + dims_string(x) + " gives an empty output");
  return {x[0], I.out, h, w};
}

Tensor ConvTranspose2d::forward(const Tensor& x) {
  auto& I = *impl_;
  I.eng.who = "ConvTranspose2d '" + name_ + "'";
  Dims yd = output_dims({x.dims()});
  return I.eng.forward(x, yd, I.weight, I.eng.wcache, I.bias ? &*I.bias : nullptr, training_, dtype_);
}

Tensor ConvTranspose2d::backward(const Tensor& dy) {
  auto& I = *impl_;
  return I.eng.backward(dy, I.weight, I.bias ? &*I.bias : nullptr, needs_input_grad_);
}

std::vector<Parameter*> ConvTranspose2d::local_parameters() {
  std::vector<Parameter*> v{&impl_->weight};
  if (impl_->bias) v.push_back(&*impl_->bias);
  return v;
}

void ConvTranspose2d::set_dtype(DType dtype) { dtype_ = dtype; }
void ConvTranspose2d::reset_plans() { impl_->eng.reset(); }
Parameter& ConvTranspose2d::weight() { return impl_->weight; }
Parameter* ConvTranspose2d::bias() { return impl_->bias ? &*impl_->bias : nullptr; }

WindowGeometry ConvTranspose2d::geometry() const {
  const auto& I = *impl_;
  return {I.k, I.stride, I.pad, 1, 1, I.out_pad, true};
}
}  // namespace cvpipe::nn
