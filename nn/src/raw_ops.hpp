// Internal: elementwise work on raw tensor buffers (sums, channel copies, bf16 bit conversions).
#pragma once
#include <cstdint>
#include <vector>

#include "cvpipe/nn/tensor.hpp"
#include "descs.hpp"

namespace cvpipe::nn::detail {

// dst = sum of srcs elementwise over raw buffers (all share dst's desc; padding stays zero).
void raw_sum(const std::vector<Tensor>& srcs, Tensor& dst);
// Copies src (all its channels) into / out of dst's channels [c_off, c_off + C_src) per sample;
// both channel-major with the same block, c_off a multiple of it.
void copy_channels(const Tensor& src, Tensor& dst, std::int64_t c_off, bool to_dst);

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
