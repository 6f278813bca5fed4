// Internal: the planning/execution core shared by Conv2d and ConvTranspose2d (oneDNN convolution
// and deconvolution have identical descriptor signatures). Plans are cached per (input desc, mode,
// dtype, fusion); activations use format_tag::any; backward pds are hinted with the forward pd;
// weight compute copies are refreshed from the plain f32 master only when its version changes.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "caches.hpp"
#include "descs.hpp"
#include "serial.hpp"

namespace cvpipe::nn::detail {

struct ConvGeometry {
  dnnl::algorithm algo;
  Dims strides, dilates, pad_l, pad_r;
  md w_user;  // the plain weight buffer viewed in oneDNN's weight dims (oihw / goihw / iohw)
  Dims w_dims;
  std::int64_t out_channels = 0;
  // Measured on AVX-512: for strided layers whose image side has <= 4 channels, nChw16c pads that
  // side 4-16x and the f32 plain-layout (gemm) kernels are ~4x faster. These flags ask for a plain dst
  // in forward / a plain diff_src in backward-data (falling back to `any` if only ref code fits).
  bool plain_dst = false;
  bool plain_diff_src = false;
};

template <class Fwd, class BwdD, class BwdW>
class ConvEngine {
 public:
  struct Key {
    md x;
    bool training = false;
    DType dtype = DType::f32;
    bool bias = false;
    bool relu = false;
    float alpha = 0.f;
    bool operator==(const Key& o) const {
      return x == o.x && training == o.training && dtype == o.dtype && bias == o.bias &&
             relu == o.relu && alpha == o.alpha;
    }
  };
  struct Plan {
    Key key;
    typename Fwd::primitive_desc fwd_pd;
    Fwd fwd;
    std::optional<typename BwdD::primitive_desc> bwdd_pd;
    BwdD bwdd;
    std::optional<typename BwdW::primitive_desc> bwdw_pd;
    BwdW bwdw;
    Converter x_conv, x_conv_w, dy_conv_d, dy_conv_w;
    Tensor y, dx, dw, db;
    bool serial = false;  // small: primitives planned (and so run) for one thread
  };

  std::string who;
  ConvGeometry g;
  WeightCache wcache;
  GradAccumulator wacc;

  void reset() {
    plans_.clear();
    last_ = nullptr;
    saved_x_ = {};
    wcache.reset();
    wacc.reset();
  }

  // y = conv(x); `w` in plain master layout, `b` may be null. Saves x for backward when training.
  Tensor forward(const Tensor& x, const Dims& y_dims, Parameter& w, WeightCache& wc, Parameter* b,
                 bool training, DType dtype, bool relu = false, float alpha = 0.f) {
    Key key{x.desc(), training, dtype, b != nullptr, relu, alpha};
    Plan& p = plan(key, y_dims);
    SerialScope serial(p.serial);
    Tensor xs = p.x_conv(x, p.fwd_pd.src_desc());
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, xs.memory()},
        {DNNL_ARG_WEIGHTS, wc.get(w, g.w_user, p.fwd_pd.weights_desc())},
        {DNNL_ARG_DST, p.y.memory()}};
    if (b) args.emplace(DNNL_ARG_BIAS, b->value.memory());
    execute(p.fwd, std::move(args), p.fwd_pd.scratchpad_desc());
    if (training) {
      last_ = &p;
      saved_x_ = xs;
    } else {
      last_ = nullptr;
      saved_x_ = {};
    }
    return p.y;
  }

  // Accumulates weight/bias grads; returns dx (undefined when !need_dx).
  Tensor backward(const Tensor& dy, Parameter& w, Parameter* b, bool need_dx) {
    if (!last_) throw Error(who + ": backward() needs a forward() in training mode first");
    Plan& p = *last_;
    if (dy.dims() != p.y.dims())
      throw Error(who + ": backward got dy " + dims_string(dy.dims()) + ", expected " + dims_string(p.y.dims()));
    SerialScope serial(p.serial);
    try {
      if (!p.bwdw_pd) {
        auto wd = any_desc(g.w_dims, dt::f32);
        auto d = b ? typename BwdW::desc(g.algo, any_desc(p.fwd_pd.src_desc().dims(), p.key.dtype), wd,
                                         md({g.out_channels}, dt::f32, tag::x),
                                         any_desc(p.y.dims(), p.key.dtype), g.strides, g.dilates, g.pad_l, g.pad_r)
                   : typename BwdW::desc(g.algo, any_desc(p.fwd_pd.src_desc().dims(), p.key.dtype), wd,
                                         any_desc(p.y.dims(), p.key.dtype), g.strides, g.dilates, g.pad_l, g.pad_r);
        p.bwdw_pd.emplace(d, primitive_attr(), engine(), p.fwd_pd);
        if (is_slow_impl(*p.bwdw_pd)) {
          // e.g. bf16 with 3 input channels: the hinted layouts only have a gemm kernel; try
          // explicit activation layouts (the saved input and dy are reordered to them).
          for (auto t : {tag::nhwc, tag::nChw16c}) {
            auto sd = md(p.fwd_pd.src_desc().dims(), to_dnnl(p.key.dtype), t);
            auto yd = md(p.y.dims(), to_dnnl(p.key.dtype), t);
            auto d2 = b ? typename BwdW::desc(g.algo, sd, wd, md({g.out_channels}, dt::f32, tag::x), yd, g.strides,
                                              g.dilates, g.pad_l, g.pad_r)
                        : typename BwdW::desc(g.algo, sd, wd, yd, g.strides, g.dilates, g.pad_l, g.pad_r);
            try {
              typename BwdW::primitive_desc alt(d2, primitive_attr(), engine(), p.fwd_pd);
              if (!is_slow_impl(alt)) {
                p.bwdw_pd.emplace(alt);
                break;
              }
            } catch (const dnnl::error&) {
            }
          }
        }
        p.bwdw = BwdW(*p.bwdw_pd);
        p.dw = Tensor::empty(p.bwdw_pd->diff_weights_desc());
        if (b) p.db = Tensor::empty(p.bwdw_pd->diff_bias_desc());
      }
      Tensor dyw = p.dy_conv_w(dy, p.bwdw_pd->diff_dst_desc());
      Tensor xw = p.x_conv_w(saved_x_, p.bwdw_pd->src_desc());
      std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, xw.memory()},
                                                 {DNNL_ARG_DIFF_DST, dyw.memory()},
                                                 {DNNL_ARG_DIFF_WEIGHTS, p.dw.memory()}};
      if (b) args.emplace(DNNL_ARG_DIFF_BIAS, p.db.memory());
      execute(p.bwdw, std::move(args), p.bwdw_pd->scratchpad_desc());
      wacc.add(w, g.w_user, p.dw.memory());
      if (b) {
        float* gb = b->grad.data<float>();
        const float* db = static_cast<const float*>(p.db.raw());
        for (std::int64_t i = 0; i < g.out_channels; ++i) gb[i] += db[i];
      }
      if (!need_dx) return {};
      if (!p.bwdd_pd) {
        typename BwdD::desc d(g.algo, any_desc(p.fwd_pd.src_desc().dims(), p.key.dtype),
                              any_desc(g.w_dims, p.key.dtype), any_desc(p.y.dims(), p.key.dtype),
                              g.strides, g.dilates, g.pad_l, g.pad_r);
        p.bwdd_pd.emplace(d, primitive_attr(), engine(), p.fwd_pd);
        if (g.plain_diff_src && p.key.dtype == DType::f32) {
          typename BwdD::desc d2(g.algo, plain_desc(p.fwd_pd.src_desc().dims(), p.key.dtype),
                                 any_desc(g.w_dims, p.key.dtype), any_desc(p.y.dims(), p.key.dtype), g.strides,
                                 g.dilates, g.pad_l, g.pad_r);
          try {
            typename BwdD::primitive_desc alt(d2, primitive_attr(), engine(), p.fwd_pd);
            if (!is_ref_impl(alt)) p.bwdd_pd.emplace(alt);
          } catch (const dnnl::error&) {
          }
        }
        p.bwdd = BwdD(*p.bwdd_pd);
        p.dx = Tensor::empty(p.bwdd_pd->diff_src_desc());
      }
      Tensor dyd = p.bwdd_pd->diff_dst_desc() == dyw.desc() ? dyw : p.dy_conv_d(dy, p.bwdd_pd->diff_dst_desc());
      execute(p.bwdd,
              {{DNNL_ARG_DIFF_DST, dyd.memory()},
               {DNNL_ARG_WEIGHTS, wcache.get(w, g.w_user, p.bwdd_pd->weights_desc())},
               {DNNL_ARG_DIFF_SRC, p.dx.memory()}},
              p.bwdd_pd->scratchpad_desc());
      return p.dx;
    } catch (const dnnl::error& e) {
      rethrow(who + " backward", e);
    }
  }

  const Plan* last_plan() const { return last_; }

 private:
  Plan& plan(const Key& key, const Dims& y_dims) {
    for (auto& p : plans_)
      if (p->key == key) return *p;
    try {
      auto pl = std::make_unique<Plan>();
      pl->key = key;
      // MACs = weight elements x output pixels (convolution) or input pixels (deconvolution).
      const Dims& px = g.algo == dnnl::algorithm::deconvolution_direct ? key.x.dims() : y_dims;
      pl->serial = serial_flops(2.0 * static_cast<double>(product(g.w_dims) * px[0] * px[2] * px[3]));
      SerialScope serial(pl->serial);
      auto prop = key.training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
      auto xd = any_desc(key.x.dims(), key.dtype);
      auto wd = any_desc(g.w_dims, key.dtype);
      auto yd = any_desc(y_dims, key.dtype);
      auto d = key.bias ? typename Fwd::desc(prop, g.algo, xd, wd, md({g.out_channels}, dt::f32, tag::x), yd,
                                             g.strides, g.dilates, g.pad_l, g.pad_r)
                        : typename Fwd::desc(prop, g.algo, xd, wd, yd, g.strides, g.dilates, g.pad_l, g.pad_r);
      auto attr = primitive_attr();
      if (key.relu) {
        dnnl::post_ops po;
        po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, key.alpha, 0.f);
        attr.set_post_ops(po);
      }
      pl->fwd_pd = typename Fwd::primitive_desc(d, attr, engine());
      if (g.plain_dst && key.dtype == DType::f32) {
        auto yp = plain_desc(y_dims, key.dtype);
        auto d2 = key.bias ? typename Fwd::desc(prop, g.algo, xd, wd, md({g.out_channels}, dt::f32, tag::x), yp,
                                                g.strides, g.dilates, g.pad_l, g.pad_r)
                           : typename Fwd::desc(prop, g.algo, xd, wd, yp, g.strides, g.dilates, g.pad_l, g.pad_r);
        try {
          typename Fwd::primitive_desc alt(d2, attr, engine());
          if (!is_ref_impl(alt)) pl->fwd_pd = alt;
        } catch (const dnnl::error&) {
        }
      }
      pl->fwd = Fwd(pl->fwd_pd);
      pl->y = Tensor::empty(pl->fwd_pd.dst_desc());
      if (plans_.size() >= 16) plans_.erase(plans_.begin());
      plans_.push_back(std::move(pl));
      last_ = nullptr;
      saved_x_ = {};
      return *plans_.back();
    } catch (const dnnl::error& e) {
      std::string hint = key.dtype == DType::bf16 && !bf16_supported() ? " (this CPU has no native bf16)" : "";
      throw Error(who + ": cannot plan for input " + Tensor::empty(key.x).describe() + hint + ": " + e.what());
    }
  }

  std::vector<std::unique_ptr<Plan>> plans_;
  Plan* last_ = nullptr;
  Tensor saved_x_;
};

}  // namespace cvpipe::nn::detail
