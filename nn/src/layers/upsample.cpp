// Upsample: oneDNN resampling (nearest / linear == torch nearest / bilinear align_corners=False).
#include <cmath>
#include <optional>

#include "../caches.hpp"
#include "../descs.hpp"
#include "cvpipe/nn/layers.hpp"

namespace cvpipe::nn {

using namespace detail;
using rf = dnnl::resampling_forward;
using rb = dnnl::resampling_backward;

struct Upsample::Impl {
  float scale;
  Mode mode;
  struct Plan {
    md key;
    bool training;
    md src;
    rf::primitive_desc fwd_pd;
    rf fwd;
    std::optional<rb::primitive_desc> bwd_pd;
    rb bwd;
    Converter x_conv, dy_conv;
    Tensor y, dx;
  };
  std::vector<std::unique_ptr<Plan>> plans;
  Plan* last = nullptr;
};

Upsample::Upsample(float scale, Mode mode) : impl_(std::make_unique<Impl>()) {
  if (!(scale > 0.f) || !std::isfinite(scale)) fail("scale must be positive");
  impl_->scale = scale;
  impl_->mode = mode;
}
Upsample::~Upsample() = default;

Dims Upsample::output_dims(const std::vector<Dims>& in) const {
  if (in.size() != 1 || in[0].size() != 4) fail("expects one 4-D input [N, C, H, W]");
  Dims y = in[0];
  y[2] = static_cast<std::int64_t>(std::floor(static_cast<double>(y[2]) * impl_->scale));
  y[3] = static_cast<std::int64_t>(std::floor(static_cast<double>(y[3]) * impl_->scale));
  if (y[2] <= 0 || y[3] <= 0) fail("output of input " + dims_string(in[0]) + " would be empty");
  return y;
}

Tensor Upsample::forward(const Tensor& x) {
  auto& I = *impl_;
  Dims yd = output_dims({x.dims()});
  md xd = x.desc();
  auto a = I.mode == Mode::nearest ? dnnl::algorithm::resampling_nearest : dnnl::algorithm::resampling_linear;
  Impl::Plan* p = nullptr;
  for (auto& q : I.plans)
    if (q->key == xd && q->training == training_) p = q.get();
  if (!p) {
    try {
      auto pl = std::make_unique<Impl::Plan>();
      pl->key = xd;
      pl->training = training_;
      auto prop = training_ ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
      std::vector<md> cands{xd};
      if (xd.data_type() == dt::f32) cands.push_back(blocked16_desc(xd.dims(), dt::f32));
      cands.push_back(nhwc_desc(xd.dims(), xd.data_type()));
      for (auto& c : cands) {
        pl->fwd_pd = rf::primitive_desc(rf::desc(prop, a, c, any_desc(yd, c.data_type())), primitive_attr(), engine());
        pl->src = c;
        if (!is_ref_impl(pl->fwd_pd)) break;
      }
      pl->fwd = rf(pl->fwd_pd);
      pl->y = Tensor::empty(pl->fwd_pd.dst_desc());
      if (I.plans.size() >= 16) I.plans.erase(I.plans.begin());
      I.plans.push_back(std::move(pl));
      I.last = nullptr;
      p = I.plans.back().get();
    } catch (const dnnl::error& e) {
      fail("cannot plan for input " + x.describe() + ": " + e.what());
    }
  }
  Tensor xs = p->x_conv(x, p->src);
  execute(p->fwd, {{DNNL_ARG_SRC, xs.memory()}, {DNNL_ARG_DST, p->y.memory()}}, p->fwd_pd.scratchpad_desc());
  I.last = training_ ? p : nullptr;
  return p->y;
}

Tensor Upsample::backward(const Tensor& dy) {
  auto& I = *impl_;
  if (!I.last) fail("backward() needs a forward() in training mode first");
  auto& p = *I.last;
  if (dy.dims() != p.y.dims()) fail("backward got dy " + dims_string(dy.dims()) + ", expected " + dims_string(p.y.dims()));
  if (!needs_input_grad_) return {};
  try {
    if (!p.bwd_pd) {
      auto a = I.mode == Mode::nearest ? dnnl::algorithm::resampling_nearest : dnnl::algorithm::resampling_linear;
      p.bwd_pd.emplace(rb::desc(a, p.src, p.y.desc()), primitive_attr(), engine(), p.fwd_pd);
      p.bwd = rb(*p.bwd_pd);
      p.dx = Tensor::empty(p.bwd_pd->diff_src_desc());
    }
    Tensor dyc = p.dy_conv(dy, p.bwd_pd->diff_dst_desc());
    execute(p.bwd, {{DNNL_ARG_DIFF_DST, dyc.memory()}, {DNNL_ARG_DIFF_SRC, p.dx.memory()}}, p.bwd_pd->scratchpad_desc());
  } catch (const dnnl::error& e) {
    fail(std::string("backward: oneDNN error: ") + e.what());
  }
  return p.dx;
}

void Upsample::set_dtype(DType dtype) { dtype_ = dtype; }
void Upsample::reset_plans() {
  impl_->plans.clear();
  impl_->last = nullptr;
}

float Upsample::scale() const { return impl_->scale; }
Upsample::Mode Upsample::mode() const { return impl_->mode; }
}  // namespace cvpipe::nn
