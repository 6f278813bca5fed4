// Internal helpers shared by the layer implementations (see detail.hpp).
#include "detail.hpp"

#include <cstring>

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

md nhwc_desc(const Dims& dims, dt type) { return md(dims, type, tag::nhwc); }
md blocked16_desc(const Dims& dims, dt type) { return md(dims, type, tag::nChw16c); }

Tensor Converter::operator()(const Tensor& x, const md& want) {
  md have = x.desc();
  if (have == want) return x;
  if (!(have == src_) || !(want == dst_) || !prim_) {
    src_ = have;
    dst_ = want;
    prim_ = dnnl::reorder(dnnl::reorder::primitive_desc(engine(), have, engine(), want));
    if (!buf_.defined() || !(buf_.desc() == want)) buf_ = Tensor::empty(want);
  }
  prim_.execute(stream(), {{DNNL_ARG_FROM, x.memory()}, {DNNL_ARG_TO, buf_.memory()}});
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
    e->prim.execute(stream(), {{DNNL_ARG_FROM, e->user_mem}, {DNNL_ARG_TO, e->buf.memory()}});
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
  prim_.execute(stream(), {{DNNL_ARG_FROM, const_cast<dnnl::memory&>(src)}, {DNNL_ARG_TO, user_mem_}});
}

void Summer::run(const std::vector<Tensor>& srcs, Tensor& dst) {
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
