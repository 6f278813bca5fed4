// The GAN losses on per-sample logits: binary cross-entropy with logits, mean over the batch,
// numerically stable for any logit (max(x,0) - x*t + log(1 + exp(-|x|))). The non-saturating
// generator loss is this BCE with target 1 ("real") on fake logits; smoothed real targets (e.g. 0.9)
// regularise the discriminator.
#pragma once
#include <vector>

namespace cvpipe::gan {

struct LogitLoss {
  double loss = 0.0;          // mean over the batch
  std::vector<float> grad;    // dL/dlogit per sample (includes the 1/N of the mean)
  double mean_sigmoid = 0.0;  // mean D(x) in [0, 1], for logging
};

// targets: one value per logit, or a single value used for all.
LogitLoss bce_with_logits(const std::vector<float>& logits, const std::vector<float>& targets);
LogitLoss bce_with_logits(const std::vector<float>& logits, float target);

}  // namespace cvpipe::gan
