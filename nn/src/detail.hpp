// Internal helpers shared by the layer implementations (not installed): cached reorders, derived
// weight copies, gradient accumulation and small desc utilities.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "cvpipe/nn/context.hpp"
#include "cvpipe/nn/parameter.hpp"
#include "cvpipe/nn/tensor.hpp"

namespace cvpipe::nn::detail {

using md = dnnl::memory::desc;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

inline md any_desc(const Dims& dims, DType dtype) { return md(dims, to_dnnl(dtype), tag::any); }
inline md any_desc(const Dims& dims, dt d) { return md(dims, d, tag::any); }
// The same layout as `d` with another data type.
md with_dtype(const md& d, dt type);
bool is_ref_impl(const dnnl::primitive_desc_base& pd);
// Reference or gemm-based (im2col) implementation: usually several times slower than jit/brgemm.
bool is_slow_impl(const dnnl::primitive_desc_base& pd);
std::string impl_name(const dnnl::primitive_desc_base& pd);
// A 4-D desc in nhwc order / nChw16c order for the dims and type.
md nhwc_desc(const Dims& dims, dt type);
md blocked16_desc(const Dims& dims, dt type);

// Small work runs on the calling thread alone: below these sizes an OpenMP fork/join (and the
// spinning barriers inside some oneDNN kernels, e.g. backward-weights reductions) costs more than the
// second thread saves, and on a busy machine far more (a descheduled peer stalls every barrier).
// Thresholds: 1 MiB of operands for memory-bound work, 64 MFLOP for convolutions / inner products
// (LeNet's whole batch-64 step: 5.4 ms CPU at 2 threads serial vs 8.5 ms with its 45 MFLOP conv on two
// threads and 19 ms with everything parallel, on the shared machine); CVPIPE_NN_SERIAL_KB /
// CVPIPE_NN_SERIAL_MFLOP override them (read once, for tuning).
bool serial_bytes(std::size_t bytes);
bool serial_flops(double flops);
// While alive (and `on`), oneDNN primitives created or executed by this thread use one thread.
class SerialScope {
 public:
  explicit SerialScope(bool on);
  ~SerialScope();
  SerialScope(const SerialScope&) = delete;
  SerialScope& operator=(const SerialScope&) = delete;

 private:
  int saved_ = 0;
};
// Executes a reorder on the calling thread's stream (serially when small).
void run_reorder(const dnnl::reorder& prim, const dnnl::memory& from, const dnnl::memory& to);

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

// dst = sum of srcs elementwise over raw buffers (all share dst's desc; padding stays zero).
void raw_sum(const std::vector<Tensor>& srcs, Tensor& dst);
// For a dense layout whose per-sample memory is [C/blk][spatial...][blk] (nchw: blk 1, nChw16c:
// 16), the channel block; 0 for any other layout.
std::int64_t channel_block(const md& d);
std::int64_t channel_unit(const md& d);
// The channel-major desc with the same blocking as `d` for other dims (empty desc when none).
md channel_major_like(const md& d, const Dims& dims);
// Copies src (all its channels) into / out of dst's channels [c_off, c_off + C_src) per sample;
// both channel-major with the same block, c_off a multiple of it.
void copy_channels(const Tensor& src, Tensor& dst, std::int64_t c_off, bool to_dst);

// Wraps dnnl::error into nn::Error with a layer-specific prefix.
[[noreturn]] void rethrow(const std::string& who, const dnnl::error& e);

// Elementwise helpers on raw bf16 values.
inline float bf16_bits_to_f32(std::uint16_t b) {
  std::uint32_t u = static_cast<std::uint32_t>(b) << 16;
  float f;
  __builtin_memcpy(&f, &u, 4);
  return f;
}
inline std::uint16_t f32_to_bf16_bits(float f) {
  std::uint32_t u;
  __builtin_memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((u >> 16) | 0x40);  // NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<std::uint16_t>(u >> 16);
}

}  // namespace cvpipe::nn::detail
