// Internal: max pooling kernels for f32 tensors, used by MaxPool2d instead of oneDNN's pooling.
//
// Why: on AMD CPUs without AVX-512, oneDNN 2.6's jit:avx2 max pooling (forward_training and
// backward) runs about 20x slower than a plain loop (4.5 ms vs 0.2 ms for 64x6x28x28 at one thread;
// its SSE4.1 kernel is fast forward but as slow backward), which made max pooling 40% of a LeNet
// training step. These kernels read and write the layouts convolutions produce, so no reorder is
// needed.
//
// Layout: the tensor is seen as [N][G][H][W][B]: plain nchw is G = C, B = 1; nhwc is G = 1, B = C;
// nChw8c / nChw16c are G = ceil(C / B), B = 8 / 16 (padding lanes are pooled like real ones: they
// hold zeros, so they stay zero in y and dx).
// Semantics (as oneDNN and PyTorch): a window's out-of-range positions are skipped; the first
// maximum in row-major window order wins; backward adds dy to that position. Work is split over
// (n, g) pairs, so results do not depend on the thread count.
#pragma once
#include <cstdint>
#include <optional>

#include <oneapi/dnnl/dnnl.hpp>

namespace cvpipe::nn::detail {

struct PoolGeometry {
  std::int64_t n = 0, groups = 0, block = 0;  // [N][G][H][W][B]
  std::int64_t h = 0, w = 0, oh = 0, ow = 0;
  std::int64_t kernel = 0, stride = 0, pad = 0;
};

// The [N][G][H][W][B] view of a 4-D f32 desc in nchw, nhwc, nChw8c or nChw16c; nullopt otherwise.
struct BlockView {
  std::int64_t groups = 0, block = 0;
  dnnl::memory::format_tag tag{};
};
std::optional<BlockView> block_view(const dnnl::memory::desc& d);

// y = max over each window; `argmax` (same [N][G][OH][OW][B] shape as y, may be null in inference)
// receives the winning position as iy * W + ix.
void max_pool_forward(const PoolGeometry& g, const float* x, float* y, std::int32_t* argmax);
// dx = 0, then dx[argmax] += dy for every output element.
void max_pool_backward(const PoolGeometry& g, const float* dy, const std::int32_t* argmax, float* dx);

}  // namespace cvpipe::nn::detail
