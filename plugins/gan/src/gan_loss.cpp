// GAN losses: see gan_loss.hpp.
#include "gan_loss.hpp"

#include <cmath>
#include <stdexcept>

namespace cvpipe::gan {

LogitLoss bce_with_logits(const std::vector<float>& logits, const std::vector<float>& targets) {
  const std::size_t n = logits.size();
  if (n == 0) throw std::invalid_argument("bce_with_logits: no logits");
  if (targets.size() != n && targets.size() != 1)
    throw std::invalid_argument("bce_with_logits: " + std::to_string(targets.size()) + " targets for " +
                                std::to_string(n) + " logits");
  LogitLoss r;
  r.grad.resize(n);
  double total = 0.0, sig_total = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = logits[i];
    const double t = targets.size() == 1 ? targets[0] : targets[i];
    total += std::max(x, 0.0) - x * t + std::log1p(std::exp(-std::abs(x)));
    const double s = x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
    sig_total += s;
    r.grad[i] = static_cast<float>((s - t) / static_cast<double>(n));
  }
  r.loss = total / static_cast<double>(n);
  r.mean_sigmoid = sig_total / static_cast<double>(n);
  return r;
}

LogitLoss bce_with_logits(const std::vector<float>& logits, float target) {
  return bce_with_logits(logits, std::vector<float>{target});
}

}  // namespace cvpipe::gan
