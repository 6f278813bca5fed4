// The colourisation loss: per-pixel softmax cross-entropy against the soft-encoded target chroma,
// weighted by the class-rebalancing weight of the target's nearest bin (chroma_bins.hpp):
//   loss = sum_pixels w(q*) * sum_k -Z_k log softmax(z)_k / pixels
//   dloss/dz_k = w(q*) * (softmax(z)_k - Z_k) / pixels
// nn::cross_entropy takes hard labels without class weights, hence this one.
// Guarantees: logits of any layout ([N, K, h, w]); targets ab [N, 2, h, w] plain f32 (the batch's
// target tensor). The gradient is a plain f32 tensor of the logits' dims. Throws nn::Error on
// shape mismatch.
#pragma once
#include "chroma_bins.hpp"
#include "cvpipe/nn/loss.hpp"

namespace cvpipe::colorize {

struct ChromaLoss {
  double loss = 0;        // the weighted cross-entropy
  double plain_ce = 0;    // the unweighted one (comparable across weightings)
  nn::Tensor grad;
};

ChromaLoss chroma_loss(const nn::Tensor& logits, const nn::Tensor& target_ab, const ChromaBins& bins,
                       bool rebalance, nn::Tensor reuse = {});

}  // namespace cvpipe::colorize
