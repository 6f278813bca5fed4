// Memory descriptor utilities; see descs.hpp.
#include "descs.hpp"

#include <algorithm>

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

std::int64_t channel_unit(const md& d) { return std::max<std::int64_t>(1, channel_block(d)); }

void rethrow(const std::string& who, const dnnl::error& e) {
  throw Error(who + ": oneDNN error: " + e.what());
}

}  // namespace cvpipe::nn::detail
