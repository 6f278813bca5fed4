// Conv2d: oneDNN convolution with plain f32 master weights [O, I/g, k, k], optional eval-mode
// folding of a following BatchNorm2d and ReLU post-op.
#include <cmath>

#include "../conv_engine.hpp"
#include "cvpipe/nn/layers.hpp"

namespace cvpipe::nn {

using namespace detail;
using ConvE = ConvEngine<dnnl::convolution_forward, dnnl::convolution_backward_data,
                         dnnl::convolution_backward_weights>;

struct Conv2d::Impl {
  std::int64_t in, out, k, stride, pad, dil, groups;
  Parameter weight;
  std::optional<Parameter> bias;
  ConvE eng;
  // eval fusion
  BatchNorm2d* bn = nullptr;
  bool relu = false;
  float alpha = 0.f;
  Parameter fused_w, fused_b;
  WeightCache fused_cache;
};

Conv2d::Conv2d(std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t stride, std::int64_t pad,
               std::int64_t dil, std::int64_t groups, bool bias)
    : impl_(std::make_unique<Impl>()) {
  auto& I = *impl_;
  if (in <= 0 || out <= 0 || k <= 0 || stride <= 0 || pad < 0 || dil <= 0 || groups <= 0)
    fail("invalid hyper-parameters (in=" + std::to_string(in) + " out=" + std::to_string(out) +
         " k=" + std::to_string(k) + " stride=" + std::to_string(stride) + " pad=" + std::to_string(pad) +
         " dilation=" + std::to_string(dil) + " groups=" + std::to_string(groups) + ")");
  if (in % groups || out % groups) fail("channels must be divisible by groups");
  I.in = in, I.out = out, I.k = k, I.stride = stride, I.pad = pad, I.dil = dil, I.groups = groups;
  I.weight = Parameter("weight", {out, in / groups, k, k});
  if (bias) I.bias.emplace("bias", Dims{out}, false);
  auto& g = I.eng.g;
  g.algo = dnnl::algorithm::convolution_direct;
  g.strides = {stride, stride};
  g.dilates = {dil - 1, dil - 1};
  g.pad_l = {pad, pad};
  g.pad_r = {pad, pad};
  g.out_channels = out;
  if (groups == 1) {
    g.w_dims = {out, in, k, k};
    g.w_user = md(g.w_dims, dt::f32, tag::oihw);
  } else {
    g.w_dims = {groups, out / groups, in / groups, k, k};
    g.w_user = md(g.w_dims, dt::f32, tag::goihw);
  }
  g.plain_diff_src = in <= 4 && stride > 1;
  I.eng.who = "Conv2d";
}

Conv2d::~Conv2d() = default;

Dims Conv2d::output_dims(const std::vector<Dims>& in) const {
  auto& I = *impl_;
  if (in.size() != 1 || in[0].size() != 4) fail("expects one 4-D input [N, C, H, W]");
  const Dims& x = in[0];
  if (x[1] != I.in) fail("expects " + std::to_string(I.in) + " input channels, got " + dims_string(x));
  std::int64_t span = I.dil * (I.k - 1) + 1;
  std::int64_t h = (x[2] + 2 * I.pad - span) / I.stride + 1;
  std::int64_t w = (x[3] + 2 * I.pad - span) / I.stride + 1;
  if (x[2] + 2 * I.pad < span || x[3] + 2 * I.pad < span || h <= 0 || w <= 0)
    fail("input " + dims_string(x) + " is smaller than the kernel");
  return {x[0], I.out, h, w};
}

Tensor Conv2d::forward(const Tensor& x) {
  auto& I = *impl_;
  I.eng.who = "Conv2d '" + name_ + "'";
  Dims yd = output_dims({x.dims()});
  Parameter* b = I.bias ? &*I.bias : nullptr;
  if (!training_ && (I.bn || I.relu)) {
    if (I.bn) {
      // Fold BN: w' = w * s[o], b' = (b - mean) * s + beta, s = gamma / sqrt(var + eps).
      if (!I.fused_w.value.defined()) {
        I.fused_w = Parameter("weight", I.weight.value.dims());
        I.fused_b = Parameter("bias", {I.out}, false);
      }
      auto mean = I.bn->running_mean().data<float>();
      auto var = I.bn->running_var().data<float>();
      const float* gamma = I.bn->weight().value.data<float>();
      const float* beta = I.bn->bias().value.data<float>();
      const float* w = I.weight.value.data<float>();
      float* fw = I.fused_w.value.data<float>();
      float* fb = I.fused_b.value.data<float>();
      std::int64_t per = I.weight.value.numel() / I.out;
      for (std::int64_t o = 0; o < I.out; ++o) {
        float s = gamma[o] / std::sqrt(var[o] + I.bn->eps());
        for (std::int64_t j = 0; j < per; ++j) fw[o * per + j] = w[o * per + j] * s;
        float b0 = b ? b->value.data<float>()[o] : 0.f;
        fb[o] = (b0 - mean[o]) * s + beta[o];
      }
      I.fused_w.mark_updated();
      return I.eng.forward(x, yd, I.fused_w, I.fused_cache, &I.fused_b, false, dtype_, I.relu, I.alpha);
    }
    return I.eng.forward(x, yd, I.weight, I.eng.wcache, b, false, dtype_, I.relu, I.alpha);
  }
  return I.eng.forward(x, yd, I.weight, I.eng.wcache, b, training_, dtype_);
}

Tensor Conv2d::backward(const Tensor& dy) {
  auto& I = *impl_;
  return I.eng.backward(dy, I.weight, I.bias ? &*I.bias : nullptr, needs_input_grad_);
}

std::vector<Parameter*> Conv2d::local_parameters() {
  std::vector<Parameter*> v{&impl_->weight};
  if (impl_->bias) v.push_back(&*impl_->bias);
  return v;
}

void Conv2d::set_dtype(DType dtype) { dtype_ = dtype; }
void Conv2d::train(bool on) { training_ = on; }
void Conv2d::reset_plans() {
  impl_->eng.reset();
  impl_->fused_cache.reset();
}
Parameter& Conv2d::weight() { return impl_->weight; }
Parameter* Conv2d::bias() { return impl_->bias ? &*impl_->bias : nullptr; }
std::int64_t Conv2d::in_channels() const { return impl_->in; }
std::int64_t Conv2d::out_channels() const { return impl_->out; }

void Conv2d::set_inference_fusion(BatchNorm2d* bn, bool relu, float relu_alpha) {
  if (bn && bn->channels() != impl_->out) fail("cannot fuse a BatchNorm2d of " + std::to_string(bn->channels()) + " channels");
  impl_->bn = bn;
  impl_->relu = relu;
  impl_->alpha = relu_alpha;
}

WindowGeometry Conv2d::geometry() const {
  const auto& I = *impl_;
  return {I.k, I.stride, I.pad, I.dil, I.groups, 0, true};
}
}  // namespace cvpipe::nn
