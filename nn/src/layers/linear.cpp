// Linear: oneDNN inner product; master weight [O, I] (torch). A 4-D input [N, C, H, W] is consumed
// in its own layout with the weight viewed as [O, C, H, W] (same bytes as torch's flatten order).
#include <optional>

#include "../caches.hpp"
#include "../descs.hpp"
#include "../serial.hpp"
#include "cvpipe/nn/layers.hpp"

namespace cvpipe::nn {

using namespace detail;
using ipf = dnnl::inner_product_forward;
using ipd = dnnl::inner_product_backward_data;
using ipw = dnnl::inner_product_backward_weights;

struct Linear::Impl {
  std::int64_t in, out;
  Parameter weight;
  std::optional<Parameter> bias;
  WeightCache wcache;
  struct Plan {
    md key;
    bool training;
    DType dtype;
    Dims w_dims;
    md w_user;
    ipf::primitive_desc fwd_pd;
    ipf fwd;
    std::optional<ipd::primitive_desc> bwdd_pd;
    ipd bwdd;
    std::optional<ipw::primitive_desc> bwdw_pd;
    ipw bwdw;
    Converter x_conv, x_conv_w, dy_conv_d, dy_conv_w;
    GradAccumulator wacc;
    Tensor y, dx, dw, db;
    bool serial = false;  // small: primitives planned (and so run) for one thread
  };
  std::vector<std::unique_ptr<Plan>> plans;
  Plan* last = nullptr;
  Tensor saved_x;
};

Linear::Linear(std::int64_t in, std::int64_t out, bool bias) : impl_(std::make_unique<Impl>()) {
  if (in <= 0 || out <= 0) fail("invalid features in=" + std::to_string(in) + " out=" + std::to_string(out));
  impl_->in = in;
  impl_->out = out;
  impl_->weight = Parameter("weight", {out, in});
  if (bias) impl_->bias.emplace("bias", Dims{out}, false);
}
Linear::~Linear() = default;

Dims Linear::output_dims(const std::vector<Dims>& in) const {
  if (in.size() != 1 || (in[0].size() != 2 && in[0].size() != 4)) fail("expects one 2-D or 4-D input");
  std::int64_t f = product(in[0]) / in[0][0];
  if (f != impl_->in) fail("expects " + std::to_string(impl_->in) + " input features, got " + dims_string(in[0]));
  return {in[0][0], impl_->out};
}

Tensor Linear::forward(const Tensor& x) {
  auto& I = *impl_;
  if (!x.defined()) fail("forward got an undefined tensor");
  Dims yd = output_dims({x.dims()});
  md xd = x.desc();
  Impl::Plan* p = nullptr;
  for (auto& q : I.plans)
    if (q->key == xd && q->training == training_ && q->dtype == dtype_) p = q.get();
  if (!p) {
    try {
      auto pl = std::make_unique<Impl::Plan>();
      pl->key = xd;
      pl->training = training_;
      pl->dtype = dtype_;
      pl->serial = serial_flops(2.0 * static_cast<double>(xd.dims()[0] * I.in * I.out));
      SerialScope serial(pl->serial);
      Dims xdims = xd.dims();
      if (xdims.size() == 4) {
        pl->w_dims = {I.out, xdims[1], xdims[2], xdims[3]};
        pl->w_user = md(pl->w_dims, dt::f32, tag::oihw);
      } else {
        pl->w_dims = {I.out, I.in};
        pl->w_user = md(pl->w_dims, dt::f32, tag::oi);
      }
      auto prop = training_ ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
      auto xa = any_desc(xdims, dtype_), wa = any_desc(pl->w_dims, dtype_), ya = any_desc(yd, dtype_);
      auto d = I.bias ? ipf::desc(prop, xa, wa, md({I.out}, dt::f32, tag::x), ya) : ipf::desc(prop, xa, wa, ya);
      pl->fwd_pd = ipf::primitive_desc(d, primitive_attr(), engine());
      pl->fwd = ipf(pl->fwd_pd);
      pl->y = Tensor::empty(pl->fwd_pd.dst_desc());
      if (I.plans.size() >= 16) I.plans.erase(I.plans.begin());
      I.plans.push_back(std::move(pl));
      I.last = nullptr;
      p = I.plans.back().get();
    } catch (const dnnl::error& e) {
      fail("cannot plan for input " + x.describe() + ": " + e.what());
    }
  }
  SerialScope serial(p->serial);
  Tensor xs = p->x_conv(x, p->fwd_pd.src_desc());
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, xs.memory()},
                                             {DNNL_ARG_WEIGHTS, I.wcache.get(I.weight, p->w_user, p->fwd_pd.weights_desc())},
                                             {DNNL_ARG_DST, p->y.memory()}};
  if (I.bias) args.emplace(DNNL_ARG_BIAS, I.bias->value.memory());
  execute(p->fwd, std::move(args), p->fwd_pd.scratchpad_desc());
  if (training_) {
    I.last = p;
    I.saved_x = xs;
  } else {
    I.last = nullptr;
    I.saved_x = {};
  }
  return p->y;
}

Tensor Linear::backward(const Tensor& dy) {
  auto& I = *impl_;
  if (!I.last) fail("backward() needs a forward() in training mode first");
  auto& p = *I.last;
  if (dy.dims() != p.y.dims()) fail("backward got dy " + dims_string(dy.dims()) + ", expected " + dims_string(p.y.dims()));
  SerialScope serial(p.serial);
  try {
    Dims xdims = p.key.dims();
    if (!p.bwdw_pd) {
      auto xa = any_desc(xdims, p.dtype), wa = any_desc(p.w_dims, dt::f32), ya = any_desc(p.y.dims(), p.dtype);
      auto d = I.bias ? ipw::desc(xa, wa, md({I.out}, dt::f32, tag::x), ya) : ipw::desc(xa, wa, ya);
      p.bwdw_pd.emplace(d, primitive_attr(), engine(), p.fwd_pd);
      p.bwdw = ipw(*p.bwdw_pd);
      p.dw = Tensor::empty(p.bwdw_pd->diff_weights_desc());
      if (I.bias) p.db = Tensor::empty(p.bwdw_pd->diff_bias_desc());
    }
    Tensor dyw = p.dy_conv_w(dy, p.bwdw_pd->diff_dst_desc());
    Tensor xw = p.x_conv_w(I.saved_x, p.bwdw_pd->src_desc());
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, xw.memory()},
                                               {DNNL_ARG_DIFF_DST, dyw.memory()},
                                               {DNNL_ARG_DIFF_WEIGHTS, p.dw.memory()}};
    if (I.bias) args.emplace(DNNL_ARG_DIFF_BIAS, p.db.memory());
    execute(p.bwdw, std::move(args), p.bwdw_pd->scratchpad_desc());
    p.wacc.add(I.weight, p.w_user, p.dw.memory());
    if (I.bias) {
      float* gb = I.bias->grad.data<float>();
      const float* db = static_cast<const float*>(p.db.raw());
      for (std::int64_t i = 0; i < I.out; ++i) gb[i] += db[i];
    }
    if (!needs_input_grad_) return {};
    if (!p.bwdd_pd) {
      ipd::desc d(any_desc(xdims, p.dtype), any_desc(p.w_dims, p.dtype), any_desc(p.y.dims(), p.dtype));
      p.bwdd_pd.emplace(d, primitive_attr(), engine(), p.fwd_pd);
      p.bwdd = ipd(*p.bwdd_pd);
      p.dx = Tensor::empty(p.bwdd_pd->diff_src_desc());
    }
    Tensor dyd = p.bwdd_pd->diff_dst_desc() == dyw.desc() ? dyw : p.dy_conv_d(dy, p.bwdd_pd->diff_dst_desc());
    execute(p.bwdd,
            {{DNNL_ARG_DIFF_DST, dyd.memory()},
             {DNNL_ARG_WEIGHTS, I.wcache.get(I.weight, p.w_user, p.bwdd_pd->weights_desc())},
             {DNNL_ARG_DIFF_SRC, p.dx.memory()}},
            p.bwdd_pd->scratchpad_desc());
  } catch (const dnnl::error& e) {
    fail(std::string("backward: oneDNN error: ") + e.what());
  }
  return p.dx;
}

std::vector<Parameter*> Linear::local_parameters() {
  std::vector<Parameter*> v{&impl_->weight};
  if (impl_->bias) v.push_back(&*impl_->bias);
  return v;
}
void Linear::set_dtype(DType dtype) { dtype_ = dtype; }
void Linear::reset_plans() {
  impl_->plans.clear();
  impl_->last = nullptr;
  impl_->saved_x = {};
  impl_->wcache.reset();
}
Parameter& Linear::weight() { return impl_->weight; }
Parameter* Linear::bias() { return impl_->bias ? &*impl_->bias : nullptr; }

}  // namespace cvpipe::nn
