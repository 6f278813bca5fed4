// Internal: memory descriptor utilities of the layer implementations (type aliases, layouts,
// channel blocking, implementation names) and the dnnl::error -> nn::Error wrapper.
#pragma once
#include <cstdint>
#include <string>

#include "cvpipe/nn/context.hpp"
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

// For a dense layout whose per-sample memory is [C/blk][spatial...][blk] (nchw: blk 1, nChw16c:
// 16), the channel block; 0 for any other layout.
std::int64_t channel_block(const md& d);
std::int64_t channel_unit(const md& d);
// The channel-major desc with the same blocking as `d` for other dims (empty desc when none).
md channel_major_like(const md& d, const Dims& dims);
// Wraps dnnl::error into nn::Error with a layer-specific prefix.
[[noreturn]] void rethrow(const std::string& who, const dnnl::error& e);

}  // namespace cvpipe::nn::detail
