// Loss functions: each returns the mean-reduced scalar loss and its gradient with respect to the
// input tensor, ready to pass to the network's backward(). PyTorch semantics (reduction='mean').
//
// Inputs may be in any layout (blocked network outputs are converted); targets likewise. The
// gradient is a plain row-major f32 tensor with the input's dims. Pass `reuse` (a previous result's
// grad of the same dims) to write into its buffer instead of allocating: steady-state training
// then allocates nothing. Sums run in double over fixed-size chunks, so the result is identical
// for any thread count. Shape errors throw nn::Error naming the loss and both shapes.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "cvpipe/nn/tensor.hpp"

namespace cvpipe::nn {

struct LossResult {
  double loss = 0.0;
  Tensor grad;  // dLoss/dInput, plain f32, input dims
};

struct CrossEntropyOptions {
  float label_smoothing = 0.0f;  // torch: target = (1 - eps) * onehot + eps / C
  int ignore_index = -100;       // targets equal to it contribute nothing (and are not counted)
};

// Logits [N, C] or [N, C, d1, ...] (class axis 1); targets: N (* d1 * ...) class ids in [0, C).
// Mean over the counted targets. Throws nn::Error for a target outside [0, C) (other than ignore_index).
LossResult cross_entropy(const Tensor& logits, std::span<const int> targets, const CrossEntropyOptions& options = {},
                         Tensor reuse = {});

// Numerically stable binary cross-entropy on logits: max(x,0) - x*y + log(1 + exp(-|x|)).
// Targets: a tensor of the same dims (values in [0, 1]) or one value for every element.
LossResult bce_with_logits(const Tensor& logits, const Tensor& targets, Tensor reuse = {});
LossResult bce_with_logits(const Tensor& logits, float target, Tensor reuse = {});

LossResult mse_loss(const Tensor& pred, const Tensor& target, Tensor reuse = {});
LossResult l1_loss(const Tensor& pred, const Tensor& target, Tensor reuse = {});  // grad of |0| is 0
// 0.5 d^2 / beta when |d| < beta, else |d| - 0.5 beta (beta == 0: L1).
LossResult smooth_l1_loss(const Tensor& pred, const Tensor& target, float beta = 1.0f, Tensor reuse = {});

// Class with the highest logit per row (per position for [N, C, ...]); ties pick the lowest id.
std::vector<int> argmax_classes(const Tensor& logits);
// Number of rows whose argmax equals the target (ignore_index rows are skipped).
std::int64_t count_correct(const Tensor& logits, std::span<const int> targets, int ignore_index = -100);

}  // namespace cvpipe::nn
