// Softmax / LogSoftmax over dim 1 with oneDNN softmax_v2 (accurate / log algorithms). Input is
// taken in plain layout (the axis is then contiguous for 2-D input, the usual case).
#include <optional>

#include "../caches.hpp"
#include "../descs.hpp"
#include "cvpipe/nn/layers.hpp"

namespace cvpipe::nn {

using namespace detail;
using sf = dnnl::softmax_v2_forward;
using sb = dnnl::softmax_v2_backward;

struct Softmax::Impl {
  bool log;
  struct Plan {
    md key;
    bool training;
    md src;
    sf::primitive_desc fwd_pd;
    sf fwd;
    std::optional<sb::primitive_desc> bwd_pd;
    sb bwd;
    Converter x_conv, dy_conv;
    Tensor y, dx;
  };
  std::vector<std::unique_ptr<Plan>> plans;
  Plan* last = nullptr;
};

Softmax::Softmax(bool log) : impl_(std::make_unique<Impl>()) { impl_->log = log; }
Softmax::~Softmax() = default;
std::string Softmax::type() const { return impl_->log ? "LogSoftmax" : "Softmax"; }

Tensor Softmax::forward(const Tensor& x) {
  auto& I = *impl_;
  if (!x.defined() || (x.ndims() != 2 && x.ndims() != 4)) fail("expects a 2-D or 4-D input");
  md xd = x.desc();
  Impl::Plan* p = nullptr;
  for (auto& q : I.plans)
    if (q->key == xd && q->training == training_) p = q.get();
  if (!p) {
    try {
      auto pl = std::make_unique<Impl::Plan>();
      pl->key = xd;
      pl->training = training_;
      pl->src = plain_desc(xd.dims(), from_dnnl(xd.data_type()));
      auto prop = training_ ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
      auto a = I.log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
      pl->fwd_pd = sf::primitive_desc(sf::desc(prop, a, pl->src, pl->src, 1), primitive_attr(), engine());
      pl->fwd = sf(pl->fwd_pd);
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

Tensor Softmax::backward(const Tensor& dy) {
  auto& I = *impl_;
  if (!I.last) fail("backward() needs a forward() in training mode first");
  auto& p = *I.last;
  if (dy.dims() != p.y.dims()) fail("backward got dy " + dims_string(dy.dims()) + ", expected " + dims_string(p.y.dims()));
  if (!needs_input_grad_) return {};
  try {
    if (!p.bwd_pd) {
      auto a = I.log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
      p.bwd_pd.emplace(sb::desc(a, p.src, p.src, p.y.desc(), 1), primitive_attr(), engine(), p.fwd_pd);
      p.bwd = sb(*p.bwd_pd);
      p.dx = Tensor::empty(p.bwd_pd->diff_src_desc());
    }
    Tensor dyc = p.dy_conv(dy, p.bwd_pd->diff_dst_desc());
    execute(p.bwd, {{DNNL_ARG_DST, p.y.memory()}, {DNNL_ARG_DIFF_DST, dyc.memory()}, {DNNL_ARG_DIFF_SRC, p.dx.memory()}},
            p.bwd_pd->scratchpad_desc());
  } catch (const dnnl::error& e) {
    fail(std::string("backward: oneDNN error: ") + e.what());
  }
  return p.dx;
}

void Softmax::set_dtype(DType dtype) { dtype_ = dtype; }
void Softmax::reset_plans() {
  impl_->plans.clear();
  impl_->last = nullptr;
}

bool Softmax::log() const { return impl_->log; }
}  // namespace cvpipe::nn
