// Internal helpers shared by the layer implementations (see detail.hpp).
#include "detail.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <omp.h>

namespace cvpipe::nn::detail {

md with_dtype(const md& d, dt type) {
  md out = d;
  out.data.data_type = static_cast<dnnl_data_type_t>(type);
  return out;
}

std::string impl_name(const dnnl::primitive_desc_base& pd) {
  const char* s = pd.impl_info_str();
  return s ? s : "";
}

bool is_ref_impl(const dnnl::primitive_desc_base& pd) {
  return impl_name(pd).rfind("ref", 0) == 0;
}

bool is_slow_impl(const dnnl::primitive_desc_base& pd) {
  std::string n = impl_name(pd);
  return n.rfind("ref", 0) == 0 || n.find("gemm:") != std::string::npos;
}

md nhwc_desc(const Dims& dims, dt type) { return md(dims, type, tag::nhwc); }
md blocked16_desc(const Dims& dims, dt type) { return md(dims, type, tag::nChw16c); }

namespace {
double env_or(const char* name, double fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const double d = std::strtod(v, &end);
  return end && *end == 0 && d >= 0 ? d : fallback;
}
}  // namespace

bool serial_bytes(std::size_t bytes) {
  static const double limit = env_or("CVPIPE_NN_SERIAL_KB", 1024) * 1024;
  return static_cast<double>(bytes) < limit;
}

bool serial_flops(double flops) {
  static const double limit = env_or("CVPIPE_NN_SERIAL_MFLOP", 64) * 1e6;
  return flops < limit;
}

SerialScope::SerialScope(bool on) {
  if (on && omp_get_max_threads() > 1) {
    saved_ = omp_get_max_threads();
    omp_set_num_threads(1);
  }
}

SerialScope::~SerialScope() {
  if (saved_ > 0) omp_set_num_threads(saved_);
}

void run_reorder(const dnnl::reorder& prim, const dnnl::memory& from, const dnnl::memory& to) {
  SerialScope serial(serial_bytes(from.get_desc().get_size() + to.get_desc().get_size()));
  prim.execute(stream(), {{DNNL_ARG_FROM, const_cast<dnnl::memory&>(from)}, {DNNL_ARG_TO, const_cast<dnnl::memory&>(to)}});
}

Tensor Converter::operator()(const Tensor& x, const md& want) {
  md have = x.desc();
  if (have == want) return x;
  if (!(have == src_) || !(want == dst_) || !prim_) {
    src_ = have;
    dst_ = want;
    prim_ = dnnl::reorder(dnnl::reorder::primitive_desc(engine(), have, engine(), want));
    if (!buf_.defined() || !(buf_.desc() == want)) buf_ = Tensor::empty(want);
  }
  run_reorder(prim_, x.memory(), buf_.memory());
  return buf_;
}

void Converter::reset() {
  src_ = {};
  dst_ = {};
  prim_ = {};
  buf_ = {};
}

dnnl::memory WeightCache::get(Parameter& p, const md& user, const md& want) {
  void* ptr = p.value.raw();
  if (user == want) return dnnl::memory(user, engine(), ptr);
  Entry* e = nullptr;
  for (auto& c : entries_)
    if (c.want == want) e = &c;
  if (!e) {
    entries_.push_back({});
    e = &entries_.back();
    e->want = want;
    e->buf = Tensor::empty(want);
    e->prim = dnnl::reorder(dnnl::reorder::primitive_desc(engine(), user, engine(), want));
  }
  if (!e->valid || e->version != p.version || e->src_ptr != ptr) {
    if (e->src_ptr != ptr) {
      e->user_mem = dnnl::memory(user, engine(), ptr);
      e->src_ptr = ptr;
    }
    run_reorder(e->prim, e->user_mem, e->buf.memory());
    e->version = p.version;
    e->valid = true;
  }
  return e->buf.memory();
}

void GradAccumulator::add(Parameter& p, const md& user, const dnnl::memory& src) {
  md have = src.get_desc();
  void* ptr = p.grad.raw();
  if (!(have == src_) || !prim_) {
    dnnl::post_ops po;
    po.append_sum(1.f);
    dnnl::primitive_attr attr;
    attr.set_post_ops(po);
    prim_ = dnnl::reorder(dnnl::reorder::primitive_desc(engine(), have, engine(), user, attr));
    src_ = have;
    ptr_ = nullptr;
  }
  if (ptr != ptr_) {
    user_mem_ = dnnl::memory(user, engine(), ptr);
    ptr_ = ptr;
  }
  run_reorder(prim_, src, user_mem_);
}

void Summer::run(const std::vector<Tensor>& srcs, Tensor& dst) {
  bool same_layout = true;
  for (auto& s : srcs) same_layout = same_layout && s.desc() == dst.desc();
  if (same_layout && !srcs.empty()) {
    raw_sum(srcs, dst);
    return;
  }
  bool same = srcs.size() == srcs_.size() && dst.desc() == dst_;
  for (std::size_t i = 0; same && i < srcs.size(); ++i) same = srcs[i].desc() == srcs_[i];
  if (!same) {
    srcs_.clear();
    for (auto& s : srcs) srcs_.push_back(s.desc());
    dst_ = dst.desc();
    std::vector<float> scales(srcs.size(), 1.f);
    pd_ = dnnl::sum::primitive_desc(dst_, scales, srcs_, engine(), primitive_attr());
    prim_ = dnnl::sum(pd_);
  }
  std::unordered_map<int, dnnl::memory> args;
  for (std::size_t i = 0; i < srcs.size(); ++i) args.emplace(DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i), srcs[i].memory());
  args.emplace(DNNL_ARG_DST, dst.memory());
  execute(prim_, std::move(args), pd_.scratchpad_desc());
}

void rethrow(const std::string& who, const dnnl::error& e) {
  throw Error(who + ": oneDNN error: " + e.what());
}

}  // namespace cvpipe::nn::detail

namespace cvpipe::nn::detail {

void raw_sum(const std::vector<Tensor>& srcs, Tensor& dst) {
  const auto n = static_cast<std::int64_t>(dst.raw_size());
  const std::size_t k = srcs.size();
  if (dst.dtype() == DType::f32) {
    float* d = static_cast<float*>(dst.raw());
    std::vector<const float*> s(k);
    for (std::size_t i = 0; i < k; ++i) s[i] = static_cast<const float*>(srcs[i].raw());
#pragma omp parallel for schedule(static) if (!serial_bytes(static_cast<std::size_t>(n) * 4 * (k + 1)))
    for (std::int64_t i = 0; i < n; ++i) {
      float acc = s[0][i];
      for (std::size_t j = 1; j < k; ++j) acc += s[j][i];
      d[i] = acc;
    }
  } else {
    auto* d = static_cast<std::uint16_t*>(dst.raw());
    std::vector<const std::uint16_t*> s(k);
    for (std::size_t i = 0; i < k; ++i) s[i] = static_cast<const std::uint16_t*>(srcs[i].raw());
#pragma omp parallel for schedule(static) if (!serial_bytes(static_cast<std::size_t>(n) * 2 * (k + 1)))
    for (std::int64_t i = 0; i < n; ++i) {
      float acc = bf16_bits_to_f32(s[0][i]);
      for (std::size_t j = 1; j < k; ++j) acc += bf16_bits_to_f32(s[j][i]);
      d[i] = f32_to_bf16_bits(acc);
    }
  }
}

std::int64_t channel_block(const md& d) {
  if (d.data.format_kind != dnnl_blocked || d.data.ndims < 2 || d.data.offset0 != 0) return 0;
  const auto& b = d.data.format_desc.blocking;
  std::int64_t blk = 1;
  if (b.inner_nblks == 1 && b.inner_idxs[0] == 1) blk = b.inner_blks[0];
  else if (b.inner_nblks != 0) return 0;
  // Dense and channel-major inside a sample: strides (outer dims) descend as in [N][C/blk][spatial][blk].
  std::int64_t expect = blk;
  for (int i = d.data.ndims - 1; i >= 1; --i) {
    if (b.strides[i] != expect) return 0;
    expect *= (i == 1 ? d.data.padded_dims[1] / blk : d.data.padded_dims[i]);
  }
  if (b.strides[0] != expect) return 0;
  if (d.data.padded_dims[0] != d.data.dims[0]) return 0;
  return blk;
}

md channel_major_like(const md& d, const Dims& dims) {
  std::int64_t blk = channel_block(d);
  if (blk <= 1) return md(dims, d.data_type(), plain_tag(dims.size()));
  if (dims.size() == 4 && blk == 16) return md(dims, d.data_type(), tag::nChw16c);
  if (dims.size() == 4 && blk == 8) return md(dims, d.data_type(), tag::nChw8c);
  return {};
}

void copy_channels(const Tensor& src, Tensor& dst, std::int64_t c_off, bool to_dst) {
  // src has C_i channels, dst the total; both channel-major with the same block. When !to_dst the
  // copy goes from dst's channel range back into src.
  const auto& sd = src.desc().data;
  const auto& dd = dst.desc().data;
  const std::int64_t es = src.dtype() == DType::bf16 ? 2 : 4;
  const std::int64_t n = sd.dims[0];
  const std::int64_t s_per = sd.format_desc.blocking.strides[0] * es;  // bytes per sample (src)
  const std::int64_t d_per = dd.format_desc.blocking.strides[0] * es;
  const std::int64_t off = c_off * dd.format_desc.blocking.strides[1] / channel_unit(dst.desc()) * es;
  auto* sp = static_cast<char*>(src.raw());
  auto* dp = static_cast<char*>(dst.raw());
#pragma omp parallel for schedule(static) if (!serial_bytes(static_cast<std::size_t>(n * s_per * 2)))
  for (std::int64_t i = 0; i < n; ++i) {
    if (to_dst) std::memcpy(dp + i * d_per + off, sp + i * s_per, static_cast<std::size_t>(s_per));
    else std::memcpy(sp + i * s_per, dp + i * d_per + off, static_cast<std::size_t>(s_per));
  }
}

std::int64_t channel_unit(const md& d) { return std::max<std::int64_t>(1, channel_block(d)); }

}  // namespace cvpipe::nn::detail
