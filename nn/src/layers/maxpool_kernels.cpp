// Max pooling kernels (see maxpool_kernels.hpp).
#include "maxpool_kernels.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "../descs.hpp"
#include "../serial.hpp"

namespace cvpipe::nn::detail {

std::optional<BlockView> block_view(const dnnl::memory::desc& d) {
  using tag = dnnl::memory::format_tag;
  if (d.data_type() != dnnl::memory::data_type::f32 || d.dims().size() != 4) return std::nullopt;
  const auto dims = d.dims();
  const std::int64_t c = dims[1];
  for (tag t : {tag::nChw16c, tag::nChw8c, tag::nchw, tag::nhwc}) {
    if (!(d == dnnl::memory::desc(dims, dnnl::memory::data_type::f32, t))) continue;
    switch (t) {
      case tag::nChw16c: return BlockView{(c + 15) / 16, 16, t};
      case tag::nChw8c: return BlockView{(c + 7) / 8, 8, t};
      case tag::nchw: return BlockView{c, 1, t};
      default: return BlockView{1, c, t};
    }
  }
  return std::nullopt;
}

namespace {

// Compiled for AVX-512 / AVX2 / baseline (picked at load time): the lane loops vectorise.
#define CVPIPE_POOL_KERNEL [[gnu::target_clones("avx512f", "avx2", "default")]]

// Every output of one (n, g) pair: x, y and argmax point at that pair's [H][W][B] / [OH][OW][B] block.
CVPIPE_POOL_KERNEL void forward_pair(const PoolGeometry& g, const float* x, float* y, std::int32_t* argmax) {
  const std::int64_t B = g.block;
  std::vector<float> best(static_cast<std::size_t>(B));
  std::vector<std::int32_t> pos(static_cast<std::size_t>(B));
  for (std::int64_t oy = 0; oy < g.oh; ++oy) {
    const std::int64_t y0 = std::max<std::int64_t>(0, oy * g.stride - g.pad);
    const std::int64_t y1 = std::min<std::int64_t>(g.h, oy * g.stride - g.pad + g.kernel);
    for (std::int64_t ox = 0; ox < g.ow; ++ox) {
      const std::int64_t x0 = std::max<std::int64_t>(0, ox * g.stride - g.pad);
      const std::int64_t x1 = std::min<std::int64_t>(g.w, ox * g.stride - g.pad + g.kernel);
      std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
      std::fill(pos.begin(), pos.end(), static_cast<std::int32_t>(y0 * g.w + x0));
      for (std::int64_t iy = y0; iy < y1; ++iy)
        for (std::int64_t ix = x0; ix < x1; ++ix) {
          const float* v = x + (iy * g.w + ix) * B;
          const auto p = static_cast<std::int32_t>(iy * g.w + ix);
          for (std::int64_t b = 0; b < B; ++b) {
            const bool more = v[b] > best[b];
            best[b] = more ? v[b] : best[b];
            pos[b] = more ? p : pos[b];
          }
        }
      float* out = y + (oy * g.ow + ox) * B;
      std::copy(best.begin(), best.end(), out);
      if (argmax) std::copy(pos.begin(), pos.end(), argmax + (oy * g.ow + ox) * B);
    }
  }
}

// dx of one (n, g) pair: zeroed, then each dy added at its winning position.
CVPIPE_POOL_KERNEL void backward_pair(const PoolGeometry& g, const float* dy, const std::int32_t* argmax, float* dx) {
  const std::int64_t B = g.block, outputs = g.oh * g.ow;
  std::memset(dx, 0, static_cast<std::size_t>(g.h * g.w * B) * sizeof(float));
  for (std::int64_t o = 0; o < outputs; ++o)
    for (std::int64_t b = 0; b < B; ++b) dx[argmax[o * B + b] * B + b] += dy[o * B + b];
}

}  // namespace

void max_pool_forward(const PoolGeometry& g, const float* x, float* y, std::int32_t* argmax) {
  const std::int64_t pairs = g.n * g.groups;
  const std::int64_t in_size = g.h * g.w * g.block, out_size = g.oh * g.ow * g.block;
#pragma omp parallel for schedule(static) if (!serial_bytes(static_cast<std::size_t>(pairs * in_size) * 4))
  for (std::int64_t i = 0; i < pairs; ++i)
    forward_pair(g, x + i * in_size, y + i * out_size, argmax ? argmax + i * out_size : nullptr);
}

void max_pool_backward(const PoolGeometry& g, const float* dy, const std::int32_t* argmax, float* dx) {
  const std::int64_t pairs = g.n * g.groups;
  const std::int64_t in_size = g.h * g.w * g.block, out_size = g.oh * g.ow * g.block;
#pragma omp parallel for schedule(static) if (!serial_bytes(static_cast<std::size_t>(pairs * in_size) * 4))
  for (std::int64_t i = 0; i < pairs; ++i) backward_pair(g, dy + i * out_size, argmax + i * out_size, dx + i * in_size);
}

}  // namespace cvpipe::nn::detail
