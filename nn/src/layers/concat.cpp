// Concat along channels. Fast path (channel-major nchw / nChw16c layouts, channel counts multiples
// of the block): per-sample memcpy into / out of the output's channel ranges, both directions.
// Otherwise oneDNN concat forward, and a backward split with submemory descs + reorders (through a
// plain copy of dy when its blocking does not allow the channel offsets).
#include "../caches.hpp"
#include "../descs.hpp"
#include "../raw_ops.hpp"
#include "cvpipe/nn/layers.hpp"

namespace cvpipe::nn {

using namespace detail;

struct Concat::Impl {
  std::vector<md> keys;
  dnnl::concat::primitive_desc pd;
  dnnl::concat prim;
  std::vector<Converter> convs;
  Tensor y;
  std::vector<Dims> in_dims;
  std::vector<md> in_descs;
  bool ready = false;
  // backward
  md dy_key;
  Converter dy_conv;
  std::vector<dnnl::reorder> splits;
  std::vector<md> sub_descs;
  std::vector<Tensor> dxs;
  std::vector<Converter> fast_convs;
  std::vector<Tensor> fast_dxs;
};

Concat::Concat() : impl_(std::make_unique<Impl>()) {}
Concat::~Concat() = default;
void Concat::reset_plans() {
  auto& I = *impl_;
  I.keys.clear();
  I.ready = false;
  I.dy_key = {};
  I.splits.clear();
  I.dxs.clear();
}
void Concat::set_dtype(DType dtype) { dtype_ = dtype; }

Dims Concat::output_dims(const std::vector<Dims>& in) const {
  if (in.empty()) fail("needs at least one input");
  Dims y = in[0];
  if (y.size() < 2) fail("inputs need rank >= 2");
  for (std::size_t i = 1; i < in.size(); ++i) {
    const Dims& d = in[i];
    bool ok = d.size() == y.size() && d[0] == y[0];
    for (std::size_t k = 2; ok && k < d.size(); ++k) ok = d[k] == y[k];
    if (!ok) fail("inputs differ outside the channel axis: " + dims_string(in[0]) + " vs " + dims_string(d));
    y[1] += d[1];
  }
  return y;
}

Tensor Concat::forward(const Tensor& x) { return forward_n(std::span<const Tensor>(&x, 1)); }

Tensor Concat::forward_n(std::span<const Tensor> xs) {
  auto& I = *impl_;
  std::vector<Dims> dims;
  for (auto& x : xs) {
    if (!x.defined()) fail("forward got an undefined tensor");
    dims.push_back(x.dims());
  }
  Dims yd = output_dims(dims);
  if (I.convs.size() < xs.size()) I.convs.resize(xs.size());
  std::vector<Tensor> srcs;
  std::vector<md> descs;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    srcs.push_back(xs[i].dtype() == xs[0].dtype() ? xs[i] : I.convs[i](xs[i], with_dtype(xs[i].desc(), to_dnnl(xs[0].dtype()))));
    descs.push_back(srcs.back().desc());
  }
  // Fast path: one channel-major layout (nchw / nChw16c) with channel counts that are multiples of
  // its block: per-sample memcpy into the output's channel range.
  md base = channel_major_like(descs[0], yd);
  std::int64_t blk = base.data.ndims ? channel_unit(base) : 0;
  bool fast = blk > 0;
  for (auto& d : dims) fast = fast && d[1] % blk == 0;
  if (fast) {
    if (!I.y.defined() || !(I.y.desc() == base)) I.y = Tensor::empty(base);
    if (I.fast_convs.size() < srcs.size()) I.fast_convs.resize(srcs.size());
    std::int64_t off = 0;
    for (std::size_t i = 0; i < srcs.size(); ++i) {
      Tensor s = I.fast_convs[i](srcs[i], channel_major_like(base, dims[i]));
      copy_channels(s, I.y, off, true);
      off += dims[i][1];
      descs[i] = s.desc();
    }
    I.keys.clear();
    I.in_dims = dims;
    I.in_descs = descs;
    I.ready = true;
    return I.y;
  }
  if (descs != I.keys || !I.prim) {
    try {
      I.pd = dnnl::concat::primitive_desc(1, descs, engine(), primitive_attr());
      I.prim = dnnl::concat(I.pd);
      I.y = Tensor::empty(I.pd.dst_desc());
      I.keys = descs;
      I.dy_key = {};
    } catch (const dnnl::error& e) {
      fail(std::string("cannot plan: ") + e.what());
    }
  }
  std::unordered_map<int, dnnl::memory> args;
  for (std::size_t i = 0; i < srcs.size(); ++i) args.emplace(DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i), srcs[i].memory());
  args.emplace(DNNL_ARG_DST, I.y.memory());
  execute(I.prim, std::move(args), I.pd.scratchpad_desc());
  I.in_dims = dims;
  I.in_descs = descs;
  I.ready = true;
  (void)yd;
  return I.y;
}

std::vector<Tensor> Concat::backward_n(const Tensor& dy) {
  auto& I = *impl_;
  if (!I.ready) fail("backward() needs a forward() first");
  if (dy.dims() != I.y.dims()) fail("backward got dy " + dims_string(dy.dims()) + ", expected " + dims_string(I.y.dims()));
  md have = dy.desc();
  Tensor src = dy;
  std::int64_t blk = channel_block(have);
  bool fast = blk > 0;
  for (auto& d : I.in_dims) fast = fast && d[1] % blk == 0;
  if (fast) {
    if (I.fast_dxs.size() != I.in_dims.size()) I.fast_dxs.assign(I.in_dims.size(), Tensor());
    std::int64_t off = 0;
    for (std::size_t i = 0; i < I.in_dims.size(); ++i) {
      md want = channel_major_like(have, I.in_dims[i]);
      if (!I.fast_dxs[i].defined() || !(I.fast_dxs[i].desc() == want)) I.fast_dxs[i] = Tensor::empty(want);
      copy_channels(I.fast_dxs[i], src, off, false);
      off += I.in_dims[i][1];
    }
    return I.fast_dxs;
  }
  try {
    if (!(have == I.dy_key)) {
      // Try splitting dy in its own layout; fall back to a plain copy.
      md base = have;
      std::vector<md> subs;
      auto make_subs = [&](const md& b) {
        subs.clear();
        std::int64_t off = 0;
        for (auto& d : I.in_dims) {
          Dims offs(d.size(), 0);
          offs[1] = off;
          subs.push_back(b.submemory_desc(d, offs));
          off += d[1];
        }
      };
      try {
        make_subs(base);
      } catch (const dnnl::error&) {
        base = plain_desc(have.dims(), from_dnnl(have.data_type()));
        make_subs(base);
      }
      I.splits.clear();
      I.dxs.clear();
      for (std::size_t i = 0; i < subs.size(); ++i) {
        md out = with_dtype(I.in_descs[i], have.data_type());
        I.dxs.push_back(Tensor::empty(out));
        I.splits.emplace_back(dnnl::reorder::primitive_desc(engine(), subs[i], engine(), out));
      }
      I.sub_descs = subs;
      I.sub_descs.push_back(base);  // last entry: the desc dy is split in
      I.dy_key = have;
    }
    const md& base = I.sub_descs.back();
    if (!(base == have)) src = I.dy_conv(dy, base);
    for (std::size_t i = 0; i < I.splits.size(); ++i) {
      dnnl::memory sub(I.sub_descs[i], engine(), src.raw());
      I.splits[i].execute(stream(), {{DNNL_ARG_FROM, sub}, {DNNL_ARG_TO, I.dxs[i].memory()}});
    }
  } catch (const dnnl::error& e) {
    fail(std::string("backward: oneDNN error: ") + e.what());
  }
  return I.dxs;
}

Tensor Concat::backward(const Tensor& dy) { return backward_n(dy).front(); }

}  // namespace cvpipe::nn
