// Elementwise work on raw buffers; see raw_ops.hpp.
#include "raw_ops.hpp"

#include <cstring>

#include "serial.hpp"

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

}  // namespace cvpipe::nn::detail
