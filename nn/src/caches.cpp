// Cached reorders, weight copies, gradient accumulation, sums; see caches.hpp.
#include "caches.hpp"

#include "raw_ops.hpp"
#include "serial.hpp"

namespace cvpipe::nn::detail {

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

}  // namespace cvpipe::nn::detail
