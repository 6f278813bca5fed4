// Naive reference kernels for tests: plain loops over plain row-major float vectors (NCHW, torch
// weight layouts), written from the PyTorch definitions of each operation, accumulating in double.
// Slow and obviously correct; never used at run time.
#pragma once
#include <cstdint>
#include <vector>

namespace cvpipe::nn::ref {

using Vec = std::vector<float>;
using I64 = std::int64_t;

struct Shape4 {
  I64 n, c, h, w;
  I64 size() const { return n * c * h * w; }
};

struct ConvArgs {
  I64 in, out, k, stride = 1, pad = 0, dil = 1, groups = 1, out_pad = 0;
};

// Conv2d (torch semantics): x [N,C,H,W], w [O, C/g, k, k], b [O] or empty.
Vec conv2d(const Vec& x, Shape4 xs, const Vec& w, const Vec& b, const ConvArgs& a, Shape4& ys);
// Gradients of conv2d given dy; dw, db accumulate from zero (db empty when no bias).
void conv2d_backward(const Vec& x, Shape4 xs, const Vec& w, const ConvArgs& a, const Vec& dy, Shape4 ys,
                     Vec& dx, Vec& dw, Vec& db, bool bias);

// ConvTranspose2d (torch semantics): w [C_in, O, k, k].
Vec conv_transpose2d(const Vec& x, Shape4 xs, const Vec& w, const Vec& b, const ConvArgs& a, Shape4& ys);
void conv_transpose2d_backward(const Vec& x, Shape4 xs, const Vec& w, const ConvArgs& a, const Vec& dy,
                               Shape4 ys, Vec& dx, Vec& dw, Vec& db, bool bias);

// Linear: x [N, I], w [O, I], b [O].
Vec linear(const Vec& x, I64 n, I64 in, const Vec& w, const Vec& b, I64 out);
void linear_backward(const Vec& x, I64 n, I64 in, const Vec& w, I64 out, const Vec& dy, Vec& dx, Vec& dw,
                     Vec& db, bool bias);

// Pooling (floor mode). Max pooling ignores padding; avg counts it when include_pad.
Vec max_pool2d(const Vec& x, Shape4 xs, I64 k, I64 s, I64 p, Shape4& ys);
Vec max_pool2d_backward(const Vec& x, Shape4 xs, I64 k, I64 s, I64 p, const Vec& dy, Shape4 ys);
Vec avg_pool2d(const Vec& x, Shape4 xs, I64 k, I64 s, I64 p, bool include_pad, Shape4& ys);
Vec avg_pool2d_backward(Shape4 xs, I64 k, I64 s, I64 p, bool include_pad, const Vec& dy, Shape4 ys);

// BatchNorm2d. Training: batch mean / biased var (returned), y = gamma*(x-mean)/sqrt(var+eps)+beta.
Vec batch_norm_train(const Vec& x, Shape4 xs, const Vec& gamma, const Vec& beta, float eps, Vec& mean, Vec& var);
void batch_norm_train_backward(const Vec& x, Shape4 xs, const Vec& gamma, float eps, const Vec& dy, Vec& dx,
                               Vec& dgamma, Vec& dbeta);
Vec batch_norm_eval(const Vec& x, Shape4 xs, const Vec& gamma, const Vec& beta, const Vec& mean, const Vec& var,
                    float eps);

// Elementwise activations; backward from the input x.
enum class Act { relu, leaky_relu, tanh, sigmoid, elu };
Vec activation(const Vec& x, Act a, float alpha);
Vec activation_backward(const Vec& x, Act a, float alpha, const Vec& dy);

// Softmax / log-softmax over dim 1 of [N, C, S] (S = spatial size, 1 for 2-D input).
Vec softmax(const Vec& x, I64 n, I64 c, I64 s, bool log);
Vec softmax_backward(const Vec& y, I64 n, I64 c, I64 s, bool log, const Vec& dy);

// Upsample by an integer scale: nearest (torch 'nearest') or bilinear (align_corners=False).
Vec upsample(const Vec& x, Shape4 xs, I64 scale, bool bilinear, Shape4& ys);
Vec upsample_backward(Shape4 xs, I64 scale, bool bilinear, const Vec& dy, Shape4 ys);

// Channel concat of NCHW tensors and its split.
Vec concat(const std::vector<Vec>& xs, const std::vector<Shape4>& shapes);

}  // namespace cvpipe::nn::ref
