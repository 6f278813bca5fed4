// Generator: the class-conditional DCGAN generator. Input: a latent vector z (z_dim) concatenated
// with a class vector (num_classes; one-hot, or a mixture for smooth class morphs) as a 1x1 map;
// then ConvT(4,1,0) -> 4x4, three ConvT(4,2,1) -> 8, 16, 32; BatchNorm + ReLU between, Tanh last.
// Output: N x 1 x 32 x 32 in [-1, 1], white digit on black.
//
// Parameter names (the model file's tensor names): deconv1..deconv4 .weight (deconv4 also .bias),
// bn1..bn3 .weight/.bias and buffers .running_mean/.running_var.
// Guarantees: in eval mode each sample depends only on its own z and class vector (not on the rest
// of the batch), so generation is reproducible whatever the batch size. Not thread-safe.
#pragma once
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/nn/containers.hpp"
#include "gan_arch.hpp"

namespace cvpipe::gan {

class Generator {
 public:
  explicit Generator(const GanArch& arch);

  const GanArch& arch() const { return arch_; }
  nn::Sequential& net() { return *net_; }

  // z: n * z_dim values, classes: n * num_classes values (row-major per sample).
  // Returns N x 1 x S x S (a buffer owned by the network: see nn::Layer).
  nn::Tensor forward(const std::vector<float>& z, const std::vector<float>& classes, int n);
  // Back-propagates dL/doutput (accumulates parameter gradients).
  void backward(const nn::Tensor& dy);

  // Runs forward and converts the batch to images (CV_32F, S x S, [-1, 1]).
  std::vector<cv::Mat> generate(const std::vector<float>& z, const std::vector<float>& classes, int n);

  void train(bool on = true) { net_->train(on); }
  void eval() { net_->train(false); }

 private:
  GanArch arch_;
  std::shared_ptr<nn::Sequential> net_;
};

// Converts a N x 1 x S x S tensor into N single-channel CV_32F images.
std::vector<cv::Mat> tensor_to_images(const nn::Tensor& t);
// One-hot class vectors for `labels` (n * num_classes values).
std::vector<float> one_hot(const std::vector<int>& labels, int num_classes);

}  // namespace cvpipe::gan
