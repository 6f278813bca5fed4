// Latent vectors: see latent.hpp.
#include "latent.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "cvpipe/nn/random.hpp"

namespace cvpipe::gan {

std::vector<float> latent_vector(std::uint64_t seed, std::uint64_t index, int z_dim, double truncation) {
  nn::Rng rng(nn::derive_seed(seed, 0x1a7e, index));
  std::vector<float> z(static_cast<std::size_t>(z_dim));
  for (auto& v : z) {
    double x = nn::normal01(rng);
    if (truncation > 0) {
      for (int tries = 0; std::abs(x) > truncation && tries < 1000; ++tries) x = nn::normal01(rng);
      if (std::abs(x) > truncation) x = 0.0;
    }
    v = static_cast<float>(x);
  }
  return z;
}

std::vector<float> latent_batch(std::uint64_t seed, std::uint64_t first, int n, int z_dim, double truncation) {
  std::vector<float> out;
  out.reserve(static_cast<std::size_t>(n) * z_dim);
  for (int i = 0; i < n; ++i) {
    const auto z = latent_vector(seed, first + static_cast<std::uint64_t>(i), z_dim, truncation);
    out.insert(out.end(), z.begin(), z.end());
  }
  return out;
}

std::vector<float> slerp(const std::vector<float>& a, const std::vector<float>& b, double t) {
  if (a.size() != b.size()) throw std::invalid_argument("slerp: vectors of different sizes");
  double na = 0, nb = 0, dot = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    na += double(a[i]) * a[i];
    nb += double(b[i]) * b[i];
    dot += double(a[i]) * b[i];
  }
  std::vector<float> out(a.size());
  const double denom = std::sqrt(na * nb);
  const double cosv = denom > 0 ? std::clamp(dot / denom, -1.0, 1.0) : 1.0;
  const double omega = std::acos(cosv);
  const double so = std::sin(omega);
  double wa = 1.0 - t, wb = t;
  if (so > 1e-6) {
    wa = std::sin((1.0 - t) * omega) / so;
    wb = std::sin(t * omega) / so;
  }
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = static_cast<float>(wa * a[i] + wb * b[i]);
  return out;
}

double smoothstep(double t) {
  t = std::clamp(t, 0.0, 1.0);
  return t * t * (3.0 - 2.0 * t);
}

}  // namespace cvpipe::gan
