// Batch-normalization training kernels on nChw16c f32 (see bnorm_kernels.hpp).
#include "bnorm_kernels.hpp"

#include <cmath>

#include "../serial.hpp"

namespace cvpipe::nn::detail {
namespace {

constexpr int L = 16;  // channels per block

// One block of 16 channels, all samples. Compiled for AVX-512 / AVX2 / baseline (picked at load
// time); no FP contraction, so forward and backward recompute the ReLU mask with identical bits.
#define CVPIPE_BN_KERNEL [[gnu::target_clones("avx512f", "avx2", "default"), gnu::optimize("fp-contract=off")]]

CVPIPE_BN_KERNEL void forward_block(const float* x, float* y, std::int64_t n, std::int64_t s, std::int64_t stride_n,
                                    const float* g, const float* bt, float eps, bool relu, float* mean, float* var) {
  const double m = static_cast<double>(n * s);
  double dsum[L] = {};
  for (std::int64_t i = 0; i < n; ++i) {
    const float* xp = x + i * stride_n;
    float acc[L] = {};
    for (std::int64_t k = 0; k < s; ++k)
      for (int j = 0; j < L; ++j) acc[j] += xp[k * L + j];
    for (int j = 0; j < L; ++j) dsum[j] += acc[j];
  }
  float mu[L];
  for (int j = 0; j < L; ++j) mu[j] = static_cast<float>(dsum[j] / m);
  double dvar[L] = {};
  for (std::int64_t i = 0; i < n; ++i) {
    const float* xp = x + i * stride_n;
    float acc[L] = {};
    for (std::int64_t k = 0; k < s; ++k)
      for (int j = 0; j < L; ++j) {
        const float d = xp[k * L + j] - mu[j];
        acc[j] += d * d;
      }
    for (int j = 0; j < L; ++j) dvar[j] += acc[j];
  }
  float scale[L], shift[L];
  for (int j = 0; j < L; ++j) {
    mean[j] = mu[j];
    var[j] = static_cast<float>(dvar[j] / m);
    scale[j] = g[j] / std::sqrt(var[j] + eps);
    shift[j] = bt[j] - mu[j] * scale[j];
  }
  for (std::int64_t i = 0; i < n; ++i) {
    const float* xp = x + i * stride_n;
    float* yp = y + i * stride_n;
    if (relu) {
      for (std::int64_t k = 0; k < s; ++k)
        for (int j = 0; j < L; ++j) {
          const float v = xp[k * L + j] * scale[j] + shift[j];
          yp[k * L + j] = v > 0.f ? v : 0.f;
        }
    } else {
      for (std::int64_t k = 0; k < s; ++k)
        for (int j = 0; j < L; ++j) yp[k * L + j] = xp[k * L + j] * scale[j] + shift[j];
    }
  }
}

CVPIPE_BN_KERNEL void backward_block(const float* x, const float* dy, float* dx, std::int64_t n, std::int64_t s,
                                     std::int64_t stride_n, const float* mean, const float* var, const float* g,
                                     const float* bt, float eps, bool relu, float* dgamma, float* dbeta) {
  float inv[L], scale[L], shift[L];
  for (int j = 0; j < L; ++j) {
    inv[j] = 1.f / std::sqrt(var[j] + eps);
    scale[j] = g[j] / std::sqrt(var[j] + eps);  // as in forward_block (same bits for the ReLU mask)
    shift[j] = bt[j] - mean[j] * scale[j];
  }
  double sb[L] = {}, sg[L] = {};
  for (std::int64_t i = 0; i < n; ++i) {
    const float* xp = x + i * stride_n;
    const float* dp = dy + i * stride_n;
    float ab[L] = {}, ag[L] = {};
    for (std::int64_t k = 0; k < s; ++k)
      for (int j = 0; j < L; ++j) {
        const float xv = xp[k * L + j];
        float d = dp[k * L + j];
        if (relu && !(xv * scale[j] + shift[j] > 0.f)) d = 0.f;
        ab[j] += d;
        ag[j] += d * ((xv - mean[j]) * inv[j]);
      }
    for (int j = 0; j < L; ++j) {
      sb[j] += ab[j];
      sg[j] += ag[j];
    }
  }
  const float inv_m = 1.f / static_cast<float>(n * s);
  float c_d[L], c_b[L], c_g[L];
  for (int j = 0; j < L; ++j) {
    dbeta[j] = static_cast<float>(sb[j]);
    dgamma[j] = static_cast<float>(sg[j]);
    c_d[j] = g[j] * inv[j];                     // dx = c_d * (d - dbeta/M - xhat * dgamma/M)
    c_b[j] = dbeta[j] * inv_m;
    c_g[j] = dgamma[j] * inv_m;
  }
  for (std::int64_t i = 0; i < n; ++i) {
    const float* xp = x + i * stride_n;
    const float* dp = dy + i * stride_n;
    float* op = dx + i * stride_n;
    for (std::int64_t k = 0; k < s; ++k)
      for (int j = 0; j < L; ++j) {
        const float xv = xp[k * L + j];
        float d = dp[k * L + j];
        if (relu && !(xv * scale[j] + shift[j] > 0.f)) d = 0.f;
        const float xhat = (xv - mean[j]) * inv[j];
        op[k * L + j] = c_d[j] * (d - c_b[j] - xhat * c_g[j]);
      }
  }
}

// gamma/beta of block b as 16 lanes (zero for padding channels).
void lanes(const float* src, std::int64_t c, std::int64_t b, float* out) {
  for (int j = 0; j < L; ++j) {
    const std::int64_t ch = b * L + j;
    out[j] = ch < c ? src[ch] : 0.f;
  }
}

void store(const float* lanes16, std::int64_t c, std::int64_t b, float* dst) {
  for (int j = 0; j < L; ++j)
    if (b * L + j < c) dst[b * L + j] = lanes16[j];
}

}  // namespace

void bn_train_forward_blk16(const BnBlocked& sh, const float* x, float* y, float* mean, float* var, const float* gamma,
                            const float* beta, float eps, bool relu) {
  const std::int64_t blocks = (sh.channels + L - 1) / L;
  const std::int64_t stride_n = blocks * sh.spatial * L;
#pragma omp parallel for schedule(static) if (!serial_bytes(static_cast<std::size_t>(sh.n * stride_n) * 8))
  for (std::int64_t b = 0; b < blocks; ++b) {
    float g[L], bt[L], mu[L], vr[L];
    lanes(gamma, sh.channels, b, g);
    lanes(beta, sh.channels, b, bt);
    const std::int64_t off = b * sh.spatial * L;
    forward_block(x + off, y + off, sh.n, sh.spatial, stride_n, g, bt, eps, relu, mu, vr);
    store(mu, sh.channels, b, mean);
    store(vr, sh.channels, b, var);
  }
}

void bn_train_backward_blk16(const BnBlocked& sh, const float* x, const float* dy, float* dx, const float* mean,
                             const float* var, const float* gamma, const float* beta, float eps, bool relu,
                             float* dgamma, float* dbeta) {
  const std::int64_t blocks = (sh.channels + L - 1) / L;
  const std::int64_t stride_n = blocks * sh.spatial * L;
#pragma omp parallel for schedule(static) if (!serial_bytes(static_cast<std::size_t>(sh.n * stride_n) * 12))
  for (std::int64_t b = 0; b < blocks; ++b) {
    float g[L], bt[L], mu[L], vr[L], dg[L], db[L];
    lanes(gamma, sh.channels, b, g);
    lanes(beta, sh.channels, b, bt);
    lanes(mean, sh.channels, b, mu);
    lanes(var, sh.channels, b, vr);
    const std::int64_t off = b * sh.spatial * L;
    backward_block(x + off, dy + off, dx + off, sh.n, sh.spatial, stride_n, mu, vr, g, bt, eps, relu, dg, db);
    store(dg, sh.channels, b, dgamma);
    store(db, sh.channels, b, dbeta);
  }
}

}  // namespace cvpipe::nn::detail
