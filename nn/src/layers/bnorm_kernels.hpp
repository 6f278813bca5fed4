// Internal: batch-normalization training kernels for f32 tensors in the channel-blocked nChw16c
// layout (what f32 convolutions produce), used by BatchNorm2d instead of oneDNN's jit bnorm.
//
// Why: oneDNN's jit bnorm synchronises its threads with spinning barriers inside the kernel (stats,
// then normalisation; backward twice); on a busy machine a descheduled peer turns every barrier into
// a burnt time slice (measured: 38% of a DnCNN training step spent in jit_bnorm_t at 2 threads).
// These kernels give each OpenMP thread whole 16-channel blocks, so a block's statistics are summed by
// one thread in a fixed order: no barrier inside, and the results do not depend on the thread count.
//
// Guarantees: same maths as oneDNN's (two-pass mean then biased variance, optional fused ReLU whose
// mask is recomputed from x in backward so no workspace is kept); padding channels (C not a multiple
// of 16) stay zero in y and dx.
#pragma once
#include <cstdint>

namespace cvpipe::nn::detail {

struct BnBlocked {
  std::int64_t n = 0;         // batch
  std::int64_t channels = 0;  // logical C (padded to blocks of 16 in memory)
  std::int64_t spatial = 0;   // H * W
};

// y = [relu](gamma * (x - mean) / sqrt(var + eps) + beta) with batch statistics; writes mean and the
// biased var (C each).
void bn_train_forward_blk16(const BnBlocked& sh, const float* x, float* y, float* mean, float* var,
                            const float* gamma, const float* beta, float eps, bool relu);

// Gradients of the above: dx (same layout as x), dgamma and dbeta (C each, overwritten).
void bn_train_backward_blk16(const BnBlocked& sh, const float* x, const float* dy, float* dx, const float* mean,
                             const float* var, const float* gamma, const float* beta, float eps, bool relu,
                             float* dgamma, float* dbeta);

}  // namespace cvpipe::nn::detail
