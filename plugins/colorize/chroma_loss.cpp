// The colourisation loss; see chroma_loss.hpp.
#include "chroma_loss.hpp"

#include <cmath>
#include <vector>

#include "cvpipe/nn/context.hpp"

namespace cvpipe::colorize {

ChromaLoss chroma_loss(const nn::Tensor& logits, const nn::Tensor& target_ab, const ChromaBins& bins, bool rebalance,
                       nn::Tensor reuse) {
  const nn::Dims d = logits.dims(), t = target_ab.dims();
  const int k = bins.size();
  if (d.size() != 4 || d[1] != k || t.size() != 4 || t[0] != d[0] || t[1] != 2 || t[2] != d[2] || t[3] != d[3]) {
    throw nn::Error("chroma_loss: logits " + nn::dims_string(d) + " and targets " + nn::dims_string(t) +
                    " do not match (expected [N, " + std::to_string(k) + ", h, w] and [N, 2, h, w])");
  }
  const nn::Tensor z = logits.plain(nn::DType::f32);
  const float* zp = z.data<float>();
  const float* ab = target_ab.data<float>();
  ChromaLoss out;
  out.grad = (reuse.defined() && reuse.dims() == d && reuse.is_plain()) ? reuse : nn::Tensor::empty(d);
  float* g = out.grad.data<float>();
  const std::size_t plane = static_cast<std::size_t>(d[2]) * d[3];
  const double pixels = static_cast<double>(d[0]) * plane;
  std::vector<double> p(k);
  double loss = 0, plain = 0;
  int nb[5];
  float nv[5];
  for (std::int64_t n = 0; n < d[0]; ++n) {
    const float* zn = zp + static_cast<std::size_t>(n) * k * plane;
    float* gn = g + static_cast<std::size_t>(n) * k * plane;
    const float* a = ab + static_cast<std::size_t>(n) * 2 * plane;
    const float* b = a + plane;
    for (std::size_t i = 0; i < plane; ++i) {
      float mx = zn[i];
      for (int c = 1; c < k; ++c) mx = std::max(mx, zn[c * plane + i]);
      double sum = 0;
      for (int c = 0; c < k; ++c) sum += (p[c] = std::exp(static_cast<double>(zn[c * plane + i] - mx)));
      const double log_sum = std::log(sum);
      const int m = bins.soft_encode(a[i], b[i], nb, nv);
      const double w = rebalance ? bins.weights()[nb[0]] : 1.0;
      double ce = 0;
      for (int j = 0; j < m; ++j) ce -= nv[j] * (zn[nb[j] * plane + i] - mx - log_sum);
      plain += ce;
      loss += w * ce;
      const double scale = w / pixels;
      for (int c = 0; c < k; ++c) gn[c * plane + i] = static_cast<float>(scale * p[c] / sum);
      for (int j = 0; j < m; ++j) gn[nb[j] * plane + i] -= static_cast<float>(scale * nv[j]);
    }
  }
  out.loss = loss / pixels;
  out.plain_ce = plain / pixels;
  return out;
}

}  // namespace cvpipe::colorize
