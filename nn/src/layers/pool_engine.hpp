// Internal: planning/execution of pooling for MaxPool2d, AvgPool2d and GlobalAvgPool.
// f32 max pooling with a square window runs the engine's own kernels (maxpool_kernels.hpp) on the
// input's layout when it is nchw, nhwc, nChw8c or nChw16c; everything else runs oneDNN pooling.
// The input keeps its layout unless oneDNN would run reference code on it; then it is reordered
// to nhwc / nChw16c. Max pooling in training keeps the winning positions for backward.
#pragma once
#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "../caches.hpp"
#include "../descs.hpp"
#include "maxpool_kernels.hpp"

namespace cvpipe::nn::detail {

class PoolEngine {
 public:
  std::string who;
  dnnl::algorithm algo = dnnl::algorithm::pooling_max;

  void reset() {
    plans_.clear();
    last_ = nullptr;
  }

  Tensor forward(const Tensor& x, const Dims& y_dims, const Dims& kernel, const Dims& strides,
                 const Dims& pad, bool training) {
    Plan& p = plan(x.desc(), y_dims, kernel, strides, pad, training);
    Tensor xs = p.x_conv(x, p.src);
    if (p.own) {
      max_pool_forward(p.geometry, static_cast<const float*>(xs.raw()), static_cast<float*>(p.y.raw()),
                       training ? p.argmax.data() : nullptr);
      last_ = training ? &p : nullptr;
      return p.y;
    }
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, xs.memory()}, {DNNL_ARG_DST, p.y.memory()}};
    if (p.ws.defined()) args.emplace(DNNL_ARG_WORKSPACE, p.ws.memory());
    execute(p.fwd, std::move(args), p.fwd_pd.scratchpad_desc());
    last_ = training ? &p : nullptr;
    return p.y;
  }

  Tensor backward(const Tensor& dy) {
    if (!last_) throw Error(who + ": backward() needs a forward() in training mode first");
    Plan& p = *last_;
    if (dy.dims() != p.y.dims())
      throw Error(who + ": backward got dy " + dims_string(dy.dims()) + ", expected " + dims_string(p.y.dims()));
    if (p.own) {
      Tensor dyc = p.dy_conv(dy, p.y.desc());
      max_pool_backward(p.geometry, static_cast<const float*>(dyc.raw()), p.argmax.data(),
                        static_cast<float*>(p.dx.raw()));
      return p.dx;
    }
    try {
      if (!p.bwd_pd) {
        dnnl::pooling_backward::desc d(algo, p.src, p.y.desc(), p.strides, p.kernel, p.pad, p.pad_r);
        p.bwd_pd.emplace(d, primitive_attr(), engine(), p.fwd_pd);
        p.bwd = dnnl::pooling_backward(*p.bwd_pd);
        p.dx = Tensor::empty(p.bwd_pd->diff_src_desc());
      }
      Tensor dyc = p.dy_conv(dy, p.bwd_pd->diff_dst_desc());
      std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_DIFF_DST, dyc.memory()},
                                                 {DNNL_ARG_DIFF_SRC, p.dx.memory()}};
      if (p.ws.defined()) args.emplace(DNNL_ARG_WORKSPACE, p.ws.memory());
      execute(p.bwd, std::move(args), p.bwd_pd->scratchpad_desc());
      return p.dx;
    } catch (const dnnl::error& e) {
      rethrow(who + " backward", e);
    }
  }

 private:
  struct Plan {
    md key;
    bool training;
    Dims kernel, strides, pad, pad_r;
    md src;
    dnnl::pooling_forward::primitive_desc fwd_pd;
    dnnl::pooling_forward fwd;
    std::optional<dnnl::pooling_backward::primitive_desc> bwd_pd;
    dnnl::pooling_backward bwd;
    Converter x_conv, dy_conv;
    Tensor y, ws, dx;
    bool own = false;             // the engine's max pooling kernels instead of oneDNN's
    PoolGeometry geometry;
    std::vector<std::int32_t> argmax;  // own kernels in training: the winning positions
  };

  Plan& plan(const md& x, const Dims& y_dims, const Dims& kernel, const Dims& strides, const Dims& pad,
             bool training) {
    for (auto& p : plans_)
      if (p->key == x && p->training == training && p->kernel == kernel) return *p;
    try {
      auto pl = std::make_unique<Plan>();
      pl->key = x;
      pl->training = training;
      pl->kernel = kernel;
      pl->strides = strides;
      pl->pad = pad;
      // Right padding so that the floor-mode output size holds exactly.
      pl->pad_r = {std::max<std::int64_t>(0, (y_dims[2] - 1) * strides[0] + kernel[0] - x.dims()[2] - pad[0]),
                   std::max<std::int64_t>(0, (y_dims[3] - 1) * strides[1] + kernel[1] - x.dims()[3] - pad[1])};
      if (!plan_own(*pl, x, y_dims)) plan_onednn(*pl, x, y_dims);
      if (plans_.size() >= 16) plans_.erase(plans_.begin());
      plans_.push_back(std::move(pl));
      last_ = nullptr;
      return *plans_.back();
    } catch (const dnnl::error& e) {
      throw Error(who + ": cannot plan for input " + dims_string(x.dims()) + ": " + e.what());
    }
  }

  // oneDNN pooling; the input keeps its layout unless oneDNN would run reference code on it.
  void plan_onednn(Plan& pl, const md& x, const Dims& y_dims) const {
    auto prop = pl.training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
    std::vector<md> candidates{x};
    if (x.data_type() == dt::f32) candidates.push_back(blocked16_desc(x.dims(), dt::f32));
    candidates.push_back(nhwc_desc(x.dims(), x.data_type()));
    for (const md& c : candidates) {
      dnnl::pooling_forward::desc d(prop, algo, c, any_desc(y_dims, c.data_type()), pl.strides, pl.kernel, pl.pad,
                                    pl.pad_r);
      pl.fwd_pd = dnnl::pooling_forward::primitive_desc(d, primitive_attr(), engine());
      pl.src = c;
      if (!is_ref_impl(pl.fwd_pd)) break;
    }
    pl.fwd = dnnl::pooling_forward(pl.fwd_pd);
    pl.y = Tensor::empty(pl.fwd_pd.dst_desc());
    if (pl.training && pl.fwd_pd.workspace_desc().get_size() > 0) pl.ws = Tensor::empty(pl.fwd_pd.workspace_desc());
  }

  // Plans the engine's own max pooling when the algorithm, window and layout allow it.
  bool plan_own(Plan& pl, const md& x, const Dims& y_dims) const {
    if (algo != dnnl::algorithm::pooling_max || pl.kernel[0] != pl.kernel[1] || pl.strides[0] != pl.strides[1] ||
        pl.pad[0] != pl.pad[1])
      return false;
    const std::optional<BlockView> view = block_view(x);
    if (!view) return false;
    const Dims d = x.dims();
    pl.own = true;
    pl.src = x;
    pl.geometry = {.n = d[0], .groups = view->groups, .block = view->block, .h = d[2], .w = d[3],
                   .oh = y_dims[2], .ow = y_dims[3], .kernel = pl.kernel[0], .stride = pl.strides[0],
                   .pad = pl.pad[0]};
    pl.y = Tensor::zeros(md(y_dims, dt::f32, view->tag));
    if (pl.training) {
      pl.dx = Tensor::zeros(x);
      pl.argmax.resize(static_cast<std::size_t>(pl.y.raw_size()));
    }
    return true;
  }

  std::vector<std::unique_ptr<Plan>> plans_;
  Plan* last_ = nullptr;
};

}  // namespace cvpipe::nn::detail
