// Internal: cached reorders, derived weight copies, gradient accumulation and sums of the layer
// implementations.
#pragma once
#include <cstdint>
#include <vector>

#include "cvpipe/nn/parameter.hpp"
#include "cvpipe/nn/tensor.hpp"
#include "descs.hpp"

namespace cvpipe::nn::detail {

// Converts tensors to a wanted desc, caching the reorder primitive and the output buffer.
// Returns the input itself when its desc already matches.
class Converter {
 public:
  Tensor operator()(const Tensor& x, const md& want);
  void reset();

 private:
  md src_, dst_;
  dnnl::reorder prim_;
  Tensor buf_;
};

// Compute copies of a parameter (other layout / type), refreshed when Parameter::version changes.
// `user` is the desc under which the plain value buffer is viewed (e.g. goihw for groups).
class WeightCache {
 public:
  dnnl::memory get(Parameter& p, const md& user, const md& want);
  void reset() { entries_.clear(); }

 private:
  struct Entry {
    md want;
    void* src_ptr = nullptr;
    std::uint64_t version = 0;
    bool valid = false;
    dnnl::memory user_mem;
    Tensor buf;
    dnnl::reorder prim;
  };
  std::vector<Entry> entries_;
};

// grad (viewed as `user`) += src (any desc, f32 or bf16), with a cached reorder-with-sum.
class GradAccumulator {
 public:
  void add(Parameter& p, const md& user, const dnnl::memory& src);
  void reset() { prim_ = {}; src_ = {}; }

 private:
  md src_;
  dnnl::memory user_mem_;
  void* ptr_ = nullptr;
  dnnl::reorder prim_;
};

// dst = sum of srcs (same dims; any layouts/types), cached sum primitive; dst desc given.
class Summer {
 public:
  void run(const std::vector<Tensor>& srcs, Tensor& dst);
  void reset() { srcs_.clear(); }

 private:
  std::vector<md> srcs_;
  md dst_;
  dnnl::sum::primitive_desc pd_;
  dnnl::sum prim_;
};

}  // namespace cvpipe::nn::detail
