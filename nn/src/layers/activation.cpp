// Activation layers over oneDNN eltwise, all in the *_use_dst_for_bwd form (backward reads the
// output, so in-place forward is safe); a negative slope / alpha falls back to the src form.
#include <optional>

#include "../caches.hpp"
#include "../descs.hpp"
#include "cvpipe/nn/layers.hpp"

namespace cvpipe::nn {

using namespace detail;
using ef = dnnl::eltwise_forward;
using eb = dnnl::eltwise_backward;
using algo = dnnl::algorithm;

struct Activation::Impl {
  Kind kind;
  float alpha;
  algo a;
  bool use_dst;
  struct Plan {
    md key;
    bool training, inplace;
    ef::primitive_desc fwd_pd;
    ef fwd;
    std::optional<eb::primitive_desc> bwd_pd;
    eb bwd;
    Converter dy_conv;
    Tensor y, dx;
  };
  std::vector<std::unique_ptr<Plan>> plans;
  Plan* last = nullptr;
  Tensor saved;  // dst (use_dst) or src
};

Activation::Activation(Kind kind, float alpha) : impl_(std::make_unique<Impl>()) {
  auto& I = *impl_;
  I.kind = kind;
  I.alpha = alpha;
  I.use_dst = alpha >= 0.f;
  switch (kind) {
    case Kind::relu:
      I.alpha = 0.f;
      I.use_dst = true;
      I.a = algo::eltwise_relu_use_dst_for_bwd;
      break;
    case Kind::leaky_relu: I.a = I.use_dst ? algo::eltwise_relu_use_dst_for_bwd : algo::eltwise_relu; break;
    case Kind::tanh: I.use_dst = true; I.a = algo::eltwise_tanh_use_dst_for_bwd; break;
    case Kind::sigmoid: I.use_dst = true; I.a = algo::eltwise_logistic_use_dst_for_bwd; break;
    case Kind::elu: I.a = I.use_dst ? algo::eltwise_elu_use_dst_for_bwd : algo::eltwise_elu; break;
  }
}

Activation::~Activation() = default;

std::string Activation::type() const {
  switch (impl_->kind) {
    case Kind::relu: return "ReLU";
    case Kind::leaky_relu: return "LeakyReLU";
    case Kind::tanh: return "Tanh";
    case Kind::sigmoid: return "Sigmoid";
    case Kind::elu: return "ELU";
  }
  return "Activation";
}

bool Activation::needs_output_for_backward() const { return impl_->use_dst; }
Activation::Kind Activation::kind() const { return impl_->kind; }
float Activation::alpha() const { return impl_->alpha; }

Tensor Activation::forward(const Tensor& x) {
  auto& I = *impl_;
  if (!x.defined()) fail("forward got an undefined tensor");
  md xd = x.desc();
  bool inplace = inplace_ && I.use_dst;
  Impl::Plan* p = nullptr;
  for (auto& q : I.plans)
    if (q->key == xd && q->training == training_ && q->inplace == inplace) p = q.get();
  if (!p) {
    try {
      auto pl = std::make_unique<Impl::Plan>();
      pl->key = xd;
      pl->training = training_;
      pl->inplace = inplace;
      auto prop = training_ ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
      pl->fwd_pd = ef::primitive_desc(ef::desc(prop, I.a, xd, I.alpha, 0.f), primitive_attr(), engine());
      pl->fwd = ef(pl->fwd_pd);
      if (!inplace) pl->y = Tensor::empty(pl->fwd_pd.dst_desc());
      if (I.plans.size() >= 16) I.plans.erase(I.plans.begin());
      I.plans.push_back(std::move(pl));
      I.last = nullptr;
      p = I.plans.back().get();
    } catch (const dnnl::error& e) {
      fail("cannot plan for input " + x.describe() + ": " + e.what());
    }
  }
  Tensor y = inplace ? x : p->y;
  execute(p->fwd, {{DNNL_ARG_SRC, x.memory()}, {DNNL_ARG_DST, y.memory()}}, p->fwd_pd.scratchpad_desc());
  if (training_) {
    I.last = p;
    I.saved = I.use_dst ? y : x;
  } else {
    I.last = nullptr;
    I.saved = {};
  }
  return y;
}

Tensor Activation::backward(const Tensor& dy) {
  auto& I = *impl_;
  if (!I.last) fail("backward() needs a forward() in training mode first");
  auto& p = *I.last;
  if (dy.dims() != I.saved.dims()) fail("backward got dy " + dims_string(dy.dims()) + ", expected " + dims_string(I.saved.dims()));
  if (!needs_input_grad_) return {};
  try {
    if (!p.bwd_pd) {
      md d = I.saved.desc();
      p.bwd_pd.emplace(eb::desc(I.a, d, d, I.alpha, 0.f), primitive_attr(), engine(), p.fwd_pd);
      p.bwd = eb(*p.bwd_pd);
      p.dx = Tensor::empty(p.bwd_pd->diff_src_desc());
    }
    Tensor dyc = p.dy_conv(dy, p.bwd_pd->diff_dst_desc());
    execute(p.bwd,
            {{I.use_dst ? DNNL_ARG_DST : DNNL_ARG_SRC, I.saved.memory()},
             {DNNL_ARG_DIFF_DST, dyc.memory()},
             {DNNL_ARG_DIFF_SRC, p.dx.memory()}},
            p.bwd_pd->scratchpad_desc());
  } catch (const dnnl::error& e) {
    fail(std::string("backward: oneDNN error: ") + e.what());
  }
  return p.dx;
}

void Activation::set_dtype(DType dtype) { dtype_ = dtype; }
void Activation::reset_plans() {
  impl_->plans.clear();
  impl_->last = nullptr;
  impl_->saved = {};
}

}  // namespace cvpipe::nn
