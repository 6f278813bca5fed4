// Naive reference kernels (see ref.hpp). Plain loops, double accumulation, torch semantics.
#include "ref/ref.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cvpipe::nn::ref {

namespace {
inline I64 at(Shape4 s, I64 n, I64 c, I64 h, I64 w) { return ((n * s.c + c) * s.h + h) * s.w + w; }
}  // namespace

Vec conv2d(const Vec& x, Shape4 xs, const Vec& w, const Vec& b, const ConvArgs& a, Shape4& ys) {
  const I64 span = a.dil * (a.k - 1) + 1;
  ys = {xs.n, a.out, (xs.h + 2 * a.pad - span) / a.stride + 1, (xs.w + 2 * a.pad - span) / a.stride + 1};
  const I64 cg = a.in / a.groups, og = a.out / a.groups;
  Vec y(static_cast<size_t>(ys.size()));
  for (I64 n = 0; n < ys.n; ++n)
    for (I64 o = 0; o < a.out; ++o) {
      const I64 g = o / og;
      for (I64 oh = 0; oh < ys.h; ++oh)
        for (I64 ow = 0; ow < ys.w; ++ow) {
          double acc = b.empty() ? 0.0 : b[static_cast<size_t>(o)];
          for (I64 ci = 0; ci < cg; ++ci)
            for (I64 kh = 0; kh < a.k; ++kh)
              for (I64 kw = 0; kw < a.k; ++kw) {
                I64 ih = oh * a.stride - a.pad + kh * a.dil, iw = ow * a.stride - a.pad + kw * a.dil;
                if (ih < 0 || iw < 0 || ih >= xs.h || iw >= xs.w) continue;
                acc += static_cast<double>(x[static_cast<size_t>(at(xs, n, g * cg + ci, ih, iw))]) *
                       w[static_cast<size_t>(((o * cg + ci) * a.k + kh) * a.k + kw)];
              }
          y[static_cast<size_t>(at(ys, n, o, oh, ow))] = static_cast<float>(acc);
        }
    }
  return y;
}

void conv2d_backward(const Vec& x, Shape4 xs, const Vec& w, const ConvArgs& a, const Vec& dy, Shape4 ys,
                     Vec& dx, Vec& dw, Vec& db, bool bias) {
  const I64 cg = a.in / a.groups, og = a.out / a.groups;
  std::vector<double> dxd(x.size(), 0.0), dwd(w.size(), 0.0), dbd(static_cast<size_t>(a.out), 0.0);
  for (I64 n = 0; n < ys.n; ++n)
    for (I64 o = 0; o < a.out; ++o) {
      const I64 g = o / og;
      for (I64 oh = 0; oh < ys.h; ++oh)
        for (I64 ow = 0; ow < ys.w; ++ow) {
          const double d = dy[static_cast<size_t>(at(ys, n, o, oh, ow))];
          dbd[static_cast<size_t>(o)] += d;
          for (I64 ci = 0; ci < cg; ++ci)
            for (I64 kh = 0; kh < a.k; ++kh)
              for (I64 kw = 0; kw < a.k; ++kw) {
                I64 ih = oh * a.stride - a.pad + kh * a.dil, iw = ow * a.stride - a.pad + kw * a.dil;
                if (ih < 0 || iw < 0 || ih >= xs.h || iw >= xs.w) continue;
                auto xi = static_cast<size_t>(at(xs, n, g * cg + ci, ih, iw));
                auto wi = static_cast<size_t>(((o * cg + ci) * a.k + kh) * a.k + kw);
                dxd[xi] += d * w[wi];
                dwd[wi] += d * x[xi];
              }
        }
    }
  dx.assign(dxd.begin(), dxd.end());
  dw.assign(dwd.begin(), dwd.end());
  if (bias) db.assign(dbd.begin(), dbd.end());
  else db.clear();
}

Vec conv_transpose2d(const Vec& x, Shape4 xs, const Vec& w, const Vec& b, const ConvArgs& a, Shape4& ys) {
  ys = {xs.n, a.out, (xs.h - 1) * a.stride - 2 * a.pad + a.k + a.out_pad,
        (xs.w - 1) * a.stride - 2 * a.pad + a.k + a.out_pad};
  std::vector<double> y(static_cast<size_t>(ys.size()), 0.0);
  for (I64 n = 0; n < xs.n; ++n)
    for (I64 c = 0; c < xs.c; ++c)
      for (I64 ih = 0; ih < xs.h; ++ih)
        for (I64 iw = 0; iw < xs.w; ++iw) {
          const double v = x[static_cast<size_t>(at(xs, n, c, ih, iw))];
          for (I64 o = 0; o < a.out; ++o)
            for (I64 kh = 0; kh < a.k; ++kh)
              for (I64 kw = 0; kw < a.k; ++kw) {
                I64 oh = ih * a.stride - a.pad + kh, ow = iw * a.stride - a.pad + kw;
                if (oh < 0 || ow < 0 || oh >= ys.h || ow >= ys.w) continue;
                y[static_cast<size_t>(at(ys, n, o, oh, ow))] +=
                    v * w[static_cast<size_t>(((c * a.out + o) * a.k + kh) * a.k + kw)];
              }
        }
  Vec out(y.size());
  for (I64 n = 0; n < ys.n; ++n)
    for (I64 o = 0; o < ys.c; ++o)
      for (I64 i = 0; i < ys.h * ys.w; ++i) {
        auto idx = static_cast<size_t>((n * ys.c + o) * ys.h * ys.w + i);
        out[idx] = static_cast<float>(y[idx] + (b.empty() ? 0.0 : b[static_cast<size_t>(o)]));
      }
  return out;
}

void conv_transpose2d_backward(const Vec& x, Shape4 xs, const Vec& w, const ConvArgs& a, const Vec& dy,
                               Shape4 ys, Vec& dx, Vec& dw, Vec& db, bool bias) {
  std::vector<double> dxd(x.size(), 0.0), dwd(w.size(), 0.0), dbd(static_cast<size_t>(a.out), 0.0);
  for (I64 n = 0; n < xs.n; ++n)
    for (I64 c = 0; c < xs.c; ++c)
      for (I64 ih = 0; ih < xs.h; ++ih)
        for (I64 iw = 0; iw < xs.w; ++iw) {
          auto xi = static_cast<size_t>(at(xs, n, c, ih, iw));
          for (I64 o = 0; o < a.out; ++o)
            for (I64 kh = 0; kh < a.k; ++kh)
              for (I64 kw = 0; kw < a.k; ++kw) {
                I64 oh = ih * a.stride - a.pad + kh, ow = iw * a.stride - a.pad + kw;
                if (oh < 0 || ow < 0 || oh >= ys.h || ow >= ys.w) continue;
                const double d = dy[static_cast<size_t>(at(ys, n, o, oh, ow))];
                auto wi = static_cast<size_t>(((c * a.out + o) * a.k + kh) * a.k + kw);
                dxd[xi] += d * w[wi];
                dwd[wi] += d * x[xi];
              }
        }
  for (I64 n = 0; n < ys.n; ++n)
    for (I64 o = 0; o < ys.c; ++o)
      for (I64 i = 0; i < ys.h * ys.w; ++i) dbd[static_cast<size_t>(o)] += dy[static_cast<size_t>((n * ys.c + o) * ys.h * ys.w + i)];
  dx.assign(dxd.begin(), dxd.end());
  dw.assign(dwd.begin(), dwd.end());
  if (bias) db.assign(dbd.begin(), dbd.end());
  else db.clear();
}

Vec linear(const Vec& x, I64 n, I64 in, const Vec& w, const Vec& b, I64 out) {
  Vec y(static_cast<size_t>(n * out));
  for (I64 i = 0; i < n; ++i)
    for (I64 o = 0; o < out; ++o) {
      double acc = b.empty() ? 0.0 : b[static_cast<size_t>(o)];
      for (I64 k = 0; k < in; ++k) acc += static_cast<double>(x[static_cast<size_t>(i * in + k)]) * w[static_cast<size_t>(o * in + k)];
      y[static_cast<size_t>(i * out + o)] = static_cast<float>(acc);
    }
  return y;
}

void linear_backward(const Vec& x, I64 n, I64 in, const Vec& w, I64 out, const Vec& dy, Vec& dx, Vec& dw,
                     Vec& db, bool bias) {
  std::vector<double> dxd(x.size(), 0.0), dwd(w.size(), 0.0), dbd(static_cast<size_t>(out), 0.0);
  for (I64 i = 0; i < n; ++i)
    for (I64 o = 0; o < out; ++o) {
      const double d = dy[static_cast<size_t>(i * out + o)];
      dbd[static_cast<size_t>(o)] += d;
      for (I64 k = 0; k < in; ++k) {
        dxd[static_cast<size_t>(i * in + k)] += d * w[static_cast<size_t>(o * in + k)];
        dwd[static_cast<size_t>(o * in + k)] += d * x[static_cast<size_t>(i * in + k)];
      }
    }
  dx.assign(dxd.begin(), dxd.end());
  dw.assign(dwd.begin(), dwd.end());
  if (bias) db.assign(dbd.begin(), dbd.end());
  else db.clear();
}

Vec max_pool2d(const Vec& x, Shape4 xs, I64 k, I64 s, I64 p, Shape4& ys) {
  ys = {xs.n, xs.c, (xs.h + 2 * p - k) / s + 1, (xs.w + 2 * p - k) / s + 1};
  Vec y(static_cast<size_t>(ys.size()));
  for (I64 n = 0; n < xs.n; ++n)
    for (I64 c = 0; c < xs.c; ++c)
      for (I64 oh = 0; oh < ys.h; ++oh)
        for (I64 ow = 0; ow < ys.w; ++ow) {
          float m = -std::numeric_limits<float>::infinity();
          for (I64 kh = 0; kh < k; ++kh)
            for (I64 kw = 0; kw < k; ++kw) {
              I64 ih = oh * s - p + kh, iw = ow * s - p + kw;
              if (ih < 0 || iw < 0 || ih >= xs.h || iw >= xs.w) continue;
              m = std::max(m, x[static_cast<size_t>(at(xs, n, c, ih, iw))]);
            }
          y[static_cast<size_t>(at(ys, n, c, oh, ow))] = m;
        }
  return y;
}

Vec max_pool2d_backward(const Vec& x, Shape4 xs, I64 k, I64 s, I64 p, const Vec& dy, Shape4 ys) {
  Vec dx(x.size(), 0.f);
  for (I64 n = 0; n < xs.n; ++n)
    for (I64 c = 0; c < xs.c; ++c)
      for (I64 oh = 0; oh < ys.h; ++oh)
        for (I64 ow = 0; ow < ys.w; ++ow) {
          I64 best = -1;
          float m = -std::numeric_limits<float>::infinity();
          for (I64 kh = 0; kh < k; ++kh)
            for (I64 kw = 0; kw < k; ++kw) {
              I64 ih = oh * s - p + kh, iw = ow * s - p + kw;
              if (ih < 0 || iw < 0 || ih >= xs.h || iw >= xs.w) continue;
              I64 i = at(xs, n, c, ih, iw);
              if (x[static_cast<size_t>(i)] > m) m = x[static_cast<size_t>(i)], best = i;
            }
          if (best >= 0) dx[static_cast<size_t>(best)] += dy[static_cast<size_t>(at(ys, n, c, oh, ow))];
        }
  return dx;
}

namespace {
I64 avg_div(Shape4 xs, I64 k, I64 s, I64 p, bool include_pad, I64 oh, I64 ow) {
  I64 h0 = oh * s - p, w0 = ow * s - p;
  I64 h1 = std::min(h0 + k, xs.h + p), w1 = std::min(w0 + k, xs.w + p);
  if (include_pad) return (h1 - h0) * (w1 - w0);
  h0 = std::max<I64>(h0, 0), w0 = std::max<I64>(w0, 0);
  h1 = std::min(h1, xs.h), w1 = std::min(w1, xs.w);
  return (h1 - h0) * (w1 - w0);
}
}  // namespace

Vec avg_pool2d(const Vec& x, Shape4 xs, I64 k, I64 s, I64 p, bool include_pad, Shape4& ys) {
  ys = {xs.n, xs.c, (xs.h + 2 * p - k) / s + 1, (xs.w + 2 * p - k) / s + 1};
  Vec y(static_cast<size_t>(ys.size()));
  for (I64 n = 0; n < xs.n; ++n)
    for (I64 c = 0; c < xs.c; ++c)
      for (I64 oh = 0; oh < ys.h; ++oh)
        for (I64 ow = 0; ow < ys.w; ++ow) {
          double acc = 0;
          for (I64 kh = 0; kh < k; ++kh)
            for (I64 kw = 0; kw < k; ++kw) {
              I64 ih = oh * s - p + kh, iw = ow * s - p + kw;
              if (ih < 0 || iw < 0 || ih >= xs.h || iw >= xs.w) continue;
              acc += x[static_cast<size_t>(at(xs, n, c, ih, iw))];
            }
          y[static_cast<size_t>(at(ys, n, c, oh, ow))] =
              static_cast<float>(acc / static_cast<double>(avg_div(xs, k, s, p, include_pad, oh, ow)));
        }
  return y;
}

Vec avg_pool2d_backward(Shape4 xs, I64 k, I64 s, I64 p, bool include_pad, const Vec& dy, Shape4 ys) {
  std::vector<double> dx(static_cast<size_t>(xs.size()), 0.0);
  for (I64 n = 0; n < xs.n; ++n)
    for (I64 c = 0; c < xs.c; ++c)
      for (I64 oh = 0; oh < ys.h; ++oh)
        for (I64 ow = 0; ow < ys.w; ++ow) {
          double d = dy[static_cast<size_t>(at(ys, n, c, oh, ow))] /
                     static_cast<double>(avg_div(xs, k, s, p, include_pad, oh, ow));
          for (I64 kh = 0; kh < k; ++kh)
            for (I64 kw = 0; kw < k; ++kw) {
              I64 ih = oh * s - p + kh, iw = ow * s - p + kw;
              if (ih < 0 || iw < 0 || ih >= xs.h || iw >= xs.w) continue;
              dx[static_cast<size_t>(at(xs, n, c, ih, iw))] += d;
            }
        }
  return Vec(dx.begin(), dx.end());
}

Vec batch_norm_train(const Vec& x, Shape4 xs, const Vec& gamma, const Vec& beta, float eps, Vec& mean, Vec& var) {
  const I64 hw = xs.h * xs.w, m = xs.n * hw;
  mean.assign(static_cast<size_t>(xs.c), 0.f);
  var.assign(static_cast<size_t>(xs.c), 0.f);
  Vec y(x.size());
  for (I64 c = 0; c < xs.c; ++c) {
    double s = 0, s2 = 0;
    for (I64 n = 0; n < xs.n; ++n)
      for (I64 i = 0; i < hw; ++i) s += x[static_cast<size_t>((n * xs.c + c) * hw + i)];
    const double mu = s / static_cast<double>(m);
    for (I64 n = 0; n < xs.n; ++n)
      for (I64 i = 0; i < hw; ++i) {
        double d = x[static_cast<size_t>((n * xs.c + c) * hw + i)] - mu;
        s2 += d * d;
      }
    const double v = s2 / static_cast<double>(m);
    mean[static_cast<size_t>(c)] = static_cast<float>(mu);
    var[static_cast<size_t>(c)] = static_cast<float>(v);
    const double inv = 1.0 / std::sqrt(v + eps);
    for (I64 n = 0; n < xs.n; ++n)
      for (I64 i = 0; i < hw; ++i) {
        auto idx = static_cast<size_t>((n * xs.c + c) * hw + i);
        y[idx] = static_cast<float>(gamma[static_cast<size_t>(c)] * (x[idx] - mu) * inv + beta[static_cast<size_t>(c)]);
      }
  }
  return y;
}

void batch_norm_train_backward(const Vec& x, Shape4 xs, const Vec& gamma, float eps, const Vec& dy, Vec& dx,
                               Vec& dgamma, Vec& dbeta) {
  const I64 hw = xs.h * xs.w, m = xs.n * hw;
  dx.assign(x.size(), 0.f);
  dgamma.assign(static_cast<size_t>(xs.c), 0.f);
  dbeta.assign(static_cast<size_t>(xs.c), 0.f);
  for (I64 c = 0; c < xs.c; ++c) {
    double s = 0;
    for (I64 n = 0; n < xs.n; ++n)
      for (I64 i = 0; i < hw; ++i) s += x[static_cast<size_t>((n * xs.c + c) * hw + i)];
    const double mu = s / static_cast<double>(m);
    double s2 = 0;
    for (I64 n = 0; n < xs.n; ++n)
      for (I64 i = 0; i < hw; ++i) {
        double d = x[static_cast<size_t>((n * xs.c + c) * hw + i)] - mu;
        s2 += d * d;
      }
    const double inv = 1.0 / std::sqrt(s2 / static_cast<double>(m) + eps);
    double sdy = 0, sdyx = 0;
    for (I64 n = 0; n < xs.n; ++n)
      for (I64 i = 0; i < hw; ++i) {
        auto idx = static_cast<size_t>((n * xs.c + c) * hw + i);
        sdy += dy[idx];
        sdyx += dy[idx] * (x[idx] - mu) * inv;
      }
    dgamma[static_cast<size_t>(c)] = static_cast<float>(sdyx);
    dbeta[static_cast<size_t>(c)] = static_cast<float>(sdy);
    for (I64 n = 0; n < xs.n; ++n)
      for (I64 i = 0; i < hw; ++i) {
        auto idx = static_cast<size_t>((n * xs.c + c) * hw + i);
        double xhat = (x[idx] - mu) * inv;
        dx[idx] = static_cast<float>(gamma[static_cast<size_t>(c)] * inv *
                                     (dy[idx] - sdy / static_cast<double>(m) - xhat * sdyx / static_cast<double>(m)));
      }
  }
}

Vec batch_norm_eval(const Vec& x, Shape4 xs, const Vec& gamma, const Vec& beta, const Vec& mean, const Vec& var,
                    float eps) {
  const I64 hw = xs.h * xs.w;
  Vec y(x.size());
  for (I64 n = 0; n < xs.n; ++n)
    for (I64 c = 0; c < xs.c; ++c)
      for (I64 i = 0; i < hw; ++i) {
        auto idx = static_cast<size_t>((n * xs.c + c) * hw + i);
        auto ci = static_cast<size_t>(c);
        y[idx] = static_cast<float>(gamma[ci] * (x[idx] - mean[ci]) / std::sqrt(static_cast<double>(var[ci]) + eps) + beta[ci]);
      }
  return y;
}

Vec activation(const Vec& x, Act a, float alpha) {
  Vec y(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    double v = x[i];
    switch (a) {
      case Act::relu: v = v > 0 ? v : 0; break;
      case Act::leaky_relu: v = v > 0 ? v : alpha * v; break;
      case Act::tanh: v = std::tanh(v); break;
      case Act::sigmoid: v = 1.0 / (1.0 + std::exp(-v)); break;
      case Act::elu: v = v > 0 ? v : alpha * (std::exp(v) - 1.0); break;
    }
    y[i] = static_cast<float>(v);
  }
  return y;
}

Vec activation_backward(const Vec& x, Act a, float alpha, const Vec& dy) {
  Vec dx(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    double v = x[i], g = 0;
    switch (a) {
      case Act::relu: g = v > 0 ? 1 : 0; break;
      case Act::leaky_relu: g = v > 0 ? 1 : alpha; break;
      case Act::tanh: { double t = std::tanh(v); g = 1 - t * t; break; }
      case Act::sigmoid: { double s = 1.0 / (1.0 + std::exp(-v)); g = s * (1 - s); break; }
      case Act::elu: g = v > 0 ? 1 : alpha * std::exp(v); break;
    }
    dx[i] = static_cast<float>(g * dy[i]);
  }
  return dx;
}

Vec softmax(const Vec& x, I64 n, I64 c, I64 s, bool log) {
  Vec y(x.size());
  for (I64 i = 0; i < n; ++i)
    for (I64 j = 0; j < s; ++j) {
      auto idx = [&](I64 k) { return static_cast<size_t>((i * c + k) * s + j); };
      double m = -1e300;
      for (I64 k = 0; k < c; ++k) m = std::max(m, static_cast<double>(x[idx(k)]));
      double sum = 0;
      for (I64 k = 0; k < c; ++k) sum += std::exp(x[idx(k)] - m);
      for (I64 k = 0; k < c; ++k)
        y[idx(k)] = static_cast<float>(log ? x[idx(k)] - m - std::log(sum) : std::exp(x[idx(k)] - m) / sum);
    }
  return y;
}

Vec softmax_backward(const Vec& y, I64 n, I64 c, I64 s, bool log, const Vec& dy) {
  Vec dx(y.size());
  for (I64 i = 0; i < n; ++i)
    for (I64 j = 0; j < s; ++j) {
      auto idx = [&](I64 k) { return static_cast<size_t>((i * c + k) * s + j); };
      double acc = 0;
      for (I64 k = 0; k < c; ++k) acc += log ? dy[idx(k)] : static_cast<double>(dy[idx(k)]) * y[idx(k)];
      for (I64 k = 0; k < c; ++k)
        dx[idx(k)] = static_cast<float>(log ? dy[idx(k)] - std::exp(static_cast<double>(y[idx(k)])) * acc
                                            : y[idx(k)] * (dy[idx(k)] - acc));
    }
  return dx;
}

namespace {
// Source index and weights of one output coordinate (torch, align_corners=False).
void lin_coeffs(I64 o, I64 scale, I64 in, I64& i0, I64& i1, double& l1) {
  double src = std::max(0.0, (static_cast<double>(o) + 0.5) / static_cast<double>(scale) - 0.5);
  i0 = std::min(static_cast<I64>(std::floor(src)), in - 1);
  i1 = std::min(i0 + 1, in - 1);
  l1 = src - static_cast<double>(i0);
}
}  // namespace

Vec upsample(const Vec& x, Shape4 xs, I64 scale, bool bilinear, Shape4& ys) {
  ys = {xs.n, xs.c, xs.h * scale, xs.w * scale};
  Vec y(static_cast<size_t>(ys.size()));
  for (I64 n = 0; n < xs.n; ++n)
    for (I64 c = 0; c < xs.c; ++c)
      for (I64 oh = 0; oh < ys.h; ++oh)
        for (I64 ow = 0; ow < ys.w; ++ow) {
          double v;
          if (!bilinear) {
            v = x[static_cast<size_t>(at(xs, n, c, oh / scale, ow / scale))];
          } else {
            I64 h0, h1, w0, w1;
            double lh, lw;
            lin_coeffs(oh, scale, xs.h, h0, h1, lh);
            lin_coeffs(ow, scale, xs.w, w0, w1, lw);
            auto X = [&](I64 h, I64 w) { return static_cast<double>(x[static_cast<size_t>(at(xs, n, c, h, w))]); };
            v = (1 - lh) * ((1 - lw) * X(h0, w0) + lw * X(h0, w1)) + lh * ((1 - lw) * X(h1, w0) + lw * X(h1, w1));
          }
          y[static_cast<size_t>(at(ys, n, c, oh, ow))] = static_cast<float>(v);
        }
  return y;
}

Vec upsample_backward(Shape4 xs, I64 scale, bool bilinear, const Vec& dy, Shape4 ys) {
  std::vector<double> dx(static_cast<size_t>(xs.size()), 0.0);
  for (I64 n = 0; n < xs.n; ++n)
    for (I64 c = 0; c < xs.c; ++c)
      for (I64 oh = 0; oh < ys.h; ++oh)
        for (I64 ow = 0; ow < ys.w; ++ow) {
          double d = dy[static_cast<size_t>(at(ys, n, c, oh, ow))];
          if (!bilinear) {
            dx[static_cast<size_t>(at(xs, n, c, oh / scale, ow / scale))] += d;
          } else {
            I64 h0, h1, w0, w1;
            double lh, lw;
            lin_coeffs(oh, scale, xs.h, h0, h1, lh);
            lin_coeffs(ow, scale, xs.w, w0, w1, lw);
            dx[static_cast<size_t>(at(xs, n, c, h0, w0))] += d * (1 - lh) * (1 - lw);
            dx[static_cast<size_t>(at(xs, n, c, h0, w1))] += d * (1 - lh) * lw;
            dx[static_cast<size_t>(at(xs, n, c, h1, w0))] += d * lh * (1 - lw);
            dx[static_cast<size_t>(at(xs, n, c, h1, w1))] += d * lh * lw;
          }
        }
  return Vec(dx.begin(), dx.end());
}

Vec concat(const std::vector<Vec>& xs, const std::vector<Shape4>& shapes) {
  I64 ctot = 0;
  for (auto& s : shapes) ctot += s.c;
  const Shape4 ys{shapes[0].n, ctot, shapes[0].h, shapes[0].w};
  Vec y(static_cast<size_t>(ys.size()));
  I64 off = 0;
  for (size_t t = 0; t < xs.size(); ++t) {
    const Shape4 s = shapes[t];
    for (I64 n = 0; n < s.n; ++n)
      for (I64 c = 0; c < s.c; ++c)
        for (I64 i = 0; i < s.h * s.w; ++i)
          y[static_cast<size_t>((n * ctot + off + c) * s.h * s.w + i)] = xs[t][static_cast<size_t>((n * s.c + c) * s.h * s.w + i)];
    off += s.c;
  }
  return y;
}

}  // namespace cvpipe::nn::ref
