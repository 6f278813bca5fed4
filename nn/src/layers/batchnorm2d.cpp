// BatchNorm2d: oneDNN batch normalization with separate scale/shift (torch weight/bias), batch
// statistics in training (running stats updated with torch's momentum rule and unbiased variance),
// running statistics in eval; optional fused ReLU (fuse_norm_relu) set by containers. Training on
// f32 nChw16c inputs (every f32 conv output) runs the barrier-free kernels of bnorm_kernels.hpp;
// other layouts / bf16 / eval use oneDNN.
#include <optional>

#include "../caches.hpp"
#include "../descs.hpp"
#include "bnorm_kernels.hpp"
#include "cvpipe/nn/layers.hpp"

namespace cvpipe::nn {

using namespace detail;
using bnf = dnnl::batch_normalization_forward;
using bnb = dnnl::batch_normalization_backward;
using nflags = dnnl::normalization_flags;

struct BatchNorm2d::Impl {
  std::int64_t c;
  float eps, momentum;
  Parameter weight, bias;
  Tensor running_mean, running_var;
  bool relu = false;
  struct Plan {
    md key;
    bool training, relu;
    bool custom = false;  // bnorm_kernels.hpp instead of oneDNN (f32 nChw16c, training)
    md src;
    nflags flags;
    bnf::primitive_desc fwd_pd;
    bnf fwd;
    std::optional<bnb::primitive_desc> bwd_pd;
    bnb bwd;
    Converter x_conv, dy_conv;
    Tensor y, mean, var, ws, dx, dscale, dshift;
  };
  std::vector<std::unique_ptr<Plan>> plans;
  Plan* last = nullptr;
  Tensor saved_x;
};

BatchNorm2d::BatchNorm2d(std::int64_t c, float eps, float momentum) : impl_(std::make_unique<Impl>()) {
  if (c <= 0 || !(eps > 0) || momentum < 0 || momentum > 1) fail("invalid channels/eps/momentum");
  auto& I = *impl_;
  I.c = c, I.eps = eps, I.momentum = momentum;
  I.weight = Parameter("weight", {c}, false);
  I.weight.value.fill(1.f);
  I.bias = Parameter("bias", {c}, false);
  I.running_mean = Tensor::zeros({c});
  I.running_var = Tensor::zeros({c});
  I.running_var.fill(1.f);
}

BatchNorm2d::~BatchNorm2d() = default;

Dims BatchNorm2d::output_dims(const std::vector<Dims>& in) const {
  if (in.size() != 1 || in[0].size() != 4) fail("expects one 4-D input [N, C, H, W]");
  if (in[0][1] != impl_->c) fail("expects " + std::to_string(impl_->c) + " channels, got " + dims_string(in[0]));
  return in[0];
}

Tensor BatchNorm2d::forward(const Tensor& x) {
  auto& I = *impl_;
  output_dims({x.dims()});
  md xd = x.desc();
  Impl::Plan* p = nullptr;
  for (auto& q : I.plans)
    if (q->key == xd && q->training == training_ && q->relu == I.relu) p = q.get();
  if (!p) {
    try {
      auto pl = std::make_unique<Impl::Plan>();
      pl->key = xd;
      pl->training = training_;
      pl->relu = I.relu;
      nflags f = nflags::use_scale | nflags::use_shift;
      if (I.relu) f = f | nflags::fuse_norm_relu;
      if (!training_) f = f | nflags::use_global_stats;
      pl->flags = f;
      if (training_ && xd.data_type() == dt::f32 && xd.dims().size() == 4 && channel_block(xd) == 16) {
        pl->custom = true;
        pl->src = xd;
        pl->y = Tensor::empty(xd);
        pl->mean = Tensor::empty(md({I.c}, dt::f32, tag::x));
        pl->var = Tensor::empty(md({I.c}, dt::f32, tag::x));
      } else {
        auto prop = training_ ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
        std::vector<md> cands{xd};
        if (xd.data_type() == dt::f32) cands.push_back(blocked16_desc(xd.dims(), dt::f32));
        cands.push_back(nhwc_desc(xd.dims(), xd.data_type()));
        for (auto& c : cands) {
          pl->fwd_pd = bnf::primitive_desc(bnf::desc(prop, c, I.eps, f), primitive_attr(), engine());
          pl->src = c;
          if (!is_ref_impl(pl->fwd_pd)) break;
        }
        pl->fwd = bnf(pl->fwd_pd);
        pl->y = Tensor::empty(pl->fwd_pd.dst_desc());
        if (training_) {
          pl->mean = Tensor::empty(pl->fwd_pd.mean_desc());
          pl->var = Tensor::empty(pl->fwd_pd.variance_desc());
        }
        if (pl->fwd_pd.workspace_desc().get_size() > 0) pl->ws = Tensor::empty(pl->fwd_pd.workspace_desc());
      }
      if (I.plans.size() >= 16) I.plans.erase(I.plans.begin());
      I.plans.push_back(std::move(pl));
      I.last = nullptr;
      p = I.plans.back().get();
    } catch (const dnnl::error& e) {
      fail("cannot plan for input " + dims_string(xd.dims()) + ": " + e.what());
    }
  }
  Tensor xs = p->x_conv(x, p->src);
  if (p->custom) {
    bn_train_forward_blk16({x.dim(0), I.c, x.dim(2) * x.dim(3)}, static_cast<const float*>(xs.raw()),
                           static_cast<float*>(p->y.raw()), static_cast<float*>(p->mean.raw()),
                           static_cast<float*>(p->var.raw()), I.weight.value.data<float>(), I.bias.value.data<float>(),
                           I.eps, p->relu);
  } else {
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, xs.memory()},
                                               {DNNL_ARG_DST, p->y.memory()},
                                               {DNNL_ARG_SCALE, I.weight.value.memory()},
                                               {DNNL_ARG_SHIFT, I.bias.value.memory()}};
    if (training_) {
      args.emplace(DNNL_ARG_MEAN, p->mean.memory());
      args.emplace(DNNL_ARG_VARIANCE, p->var.memory());
    } else {
      args.emplace(DNNL_ARG_MEAN, I.running_mean.memory());
      args.emplace(DNNL_ARG_VARIANCE, I.running_var.memory());
  }
  if (p->ws.defined()) args.emplace(DNNL_ARG_WORKSPACE, p->ws.memory());
  execute(p->fwd, std::move(args), p->fwd_pd.scratchpad_desc());
  }
  if (training_) {
    const std::int64_t n = x.dim(0) * x.dim(2) * x.dim(3);
    const float unbias = n > 1 ? static_cast<float>(n) / static_cast<float>(n - 1) : 1.f;
    const float m = I.momentum;
    float* rm = I.running_mean.data<float>();
    float* rv = I.running_var.data<float>();
    const float* bm = static_cast<const float*>(p->mean.raw());
    const float* bv = static_cast<const float*>(p->var.raw());
    for (std::int64_t i = 0; i < I.c; ++i) {
      rm[i] = (1 - m) * rm[i] + m * bm[i];
      rv[i] = (1 - m) * rv[i] + m * bv[i] * unbias;
    }
    I.last = p;
    I.saved_x = xs;
  } else {
    I.last = nullptr;
    I.saved_x = {};
  }
  return p->y;
}

Tensor BatchNorm2d::backward(const Tensor& dy) {
  auto& I = *impl_;
  if (!I.last) fail("backward() needs a forward() in training mode first");
  auto& p = *I.last;
  if (dy.dims() != p.y.dims()) fail("backward got dy " + dims_string(dy.dims()) + ", expected " + dims_string(p.y.dims()));
  if (p.custom) {
    if (!p.dx.defined()) {
      p.dx = Tensor::empty(p.src);
      p.dscale = Tensor::empty(md({I.c}, dt::f32, tag::x));
      p.dshift = Tensor::empty(md({I.c}, dt::f32, tag::x));
    }
    Tensor dyc = p.dy_conv(dy, p.src);
    bn_train_backward_blk16({dy.dim(0), I.c, dy.dim(2) * dy.dim(3)}, static_cast<const float*>(I.saved_x.raw()),
                            static_cast<const float*>(dyc.raw()), static_cast<float*>(p.dx.raw()),
                            static_cast<const float*>(p.mean.raw()), static_cast<const float*>(p.var.raw()),
                            I.weight.value.data<float>(), I.bias.value.data<float>(), I.eps, p.relu,
                            static_cast<float*>(p.dscale.raw()), static_cast<float*>(p.dshift.raw()));
  } else {
    try {
      if (!p.bwd_pd) {
        nflags f = nflags::use_scale | nflags::use_shift;
        if (p.relu) f = f | nflags::fuse_norm_relu;
        bnb::desc d(dnnl::prop_kind::backward, p.y.desc(), p.src, I.eps, f);
        p.bwd_pd.emplace(d, primitive_attr(), engine(), p.fwd_pd);
        p.bwd = bnb(*p.bwd_pd);
        p.dx = Tensor::empty(p.bwd_pd->diff_src_desc());
        p.dscale = Tensor::empty(md({I.c}, dt::f32, tag::x));
        p.dshift = Tensor::empty(md({I.c}, dt::f32, tag::x));
      }
      Tensor dyc = p.dy_conv(dy, p.bwd_pd->diff_dst_desc());
      std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, I.saved_x.memory()},
                                                 {DNNL_ARG_MEAN, p.mean.memory()},
                                                 {DNNL_ARG_VARIANCE, p.var.memory()},
                                                 {DNNL_ARG_DIFF_DST, dyc.memory()},
                                                 {DNNL_ARG_SCALE, I.weight.value.memory()},
                                                 {DNNL_ARG_SHIFT, I.bias.value.memory()},
                                                 {DNNL_ARG_DIFF_SRC, p.dx.memory()},
                                                 {DNNL_ARG_DIFF_SCALE, p.dscale.memory()},
                                                 {DNNL_ARG_DIFF_SHIFT, p.dshift.memory()}};
      if (p.ws.defined()) args.emplace(DNNL_ARG_WORKSPACE, p.ws.memory());
      execute(p.bwd, std::move(args), p.bwd_pd->scratchpad_desc());
    } catch (const dnnl::error& e) {
      fail(std::string("backward: oneDNN error: ") + e.what());
    }
  }
  float* gw = I.weight.grad.data<float>();
  float* gb = I.bias.grad.data<float>();
  const float* ds = static_cast<const float*>(p.dscale.raw());
  const float* dh = static_cast<const float*>(p.dshift.raw());
  for (std::int64_t i = 0; i < I.c; ++i) {
    gw[i] += ds[i];
    gb[i] += dh[i];
  }
  return p.dx;  // BN always computes diff_src; callers ignore it when not needed
}

std::vector<Parameter*> BatchNorm2d::local_parameters() { return {&impl_->weight, &impl_->bias}; }
std::vector<NamedTensor> BatchNorm2d::local_buffers() {
  return {{"running_mean", impl_->running_mean}, {"running_var", impl_->running_var}};
}
void BatchNorm2d::set_dtype(DType dtype) { dtype_ = dtype; }
void BatchNorm2d::train(bool on) { training_ = on; }
void BatchNorm2d::reset_plans() {
  impl_->plans.clear();
  impl_->last = nullptr;
  impl_->saved_x = {};
}
Parameter& BatchNorm2d::weight() { return impl_->weight; }
Parameter& BatchNorm2d::bias() { return impl_->bias; }
Tensor BatchNorm2d::running_mean() { return impl_->running_mean; }
Tensor BatchNorm2d::running_var() { return impl_->running_var; }
float BatchNorm2d::eps() const { return impl_->eps; }
std::int64_t BatchNorm2d::channels() const { return impl_->c; }
void BatchNorm2d::set_fused_relu(bool on) { impl_->relu = on; }
bool BatchNorm2d::fused_relu() const { return impl_->relu; }

}  // namespace cvpipe::nn
