// Discriminator: see discriminator.hpp.
#include "discriminator.hpp"

#include <array>
#include <stdexcept>

#include "cvpipe/nn/layers.hpp"

namespace cvpipe::gan {

Discriminator::Discriminator(const GanArch& arch) : arch_(arch) {
  if (Status s = arch.validate(); !s.ok()) throw std::invalid_argument(s.message());
  const std::int64_t c1 = arch.d_channels, c2 = 2 * c1, c3 = 4 * c1;
  const std::int64_t in = arch.image_channels() + (concat() ? arch.num_classes : 0);
  net_ = std::make_shared<nn::Graph>(concat() ? 2 : 1);
  auto& g = *net_;
  int x = g.input(0);
  if (concat()) x = g.emplace<nn::Concat>("concat", {g.input(0), g.input(1)});
  x = g.emplace<nn::Conv2d>("conv1", {x}, in, c1, 4, 2, 1);
  x = g.emplace<nn::LeakyReLU>("lrelu1", {x}, 0.2f);
  x = g.emplace<nn::Conv2d>("conv2", {x}, c1, c2, 4, 2, 1, 1, 1, false);
  x = g.emplace<nn::BatchNorm2d>("bn2", {x}, c2);
  x = g.emplace<nn::LeakyReLU>("lrelu2", {x}, 0.2f);
  x = g.emplace<nn::Conv2d>("conv3", {x}, c2, c3, 4, 2, 1, 1, 1, false);
  x = g.emplace<nn::BatchNorm2d>("bn3", {x}, c3);
  x = g.emplace<nn::LeakyReLU>("lrelu3", {x}, 0.2f);
  g.emplace<nn::Conv2d>("conv4", {x}, c3, projection() ? arch.num_classes : 1, 4, 1, 0);
}

void Discriminator::set_input_grad(bool on) {
  if (net_->needs_input_grad() != on) net_->set_needs_input_grad(on);
}

std::vector<float> Discriminator::forward(const nn::Tensor& images, const std::vector<int>& labels) {
  const std::int64_t n = images.dim(0);
  if (static_cast<std::int64_t>(labels.size()) != n)
    throw nn::Error("Discriminator: " + std::to_string(labels.size()) + " labels for " + std::to_string(n) + " images");
  for (int c : labels)
    if (c < 0 || c >= arch_.num_classes) throw nn::Error("Discriminator: class " + std::to_string(c) + " out of range");
  labels_ = labels;
  nn::Tensor out;
  if (concat()) {
    const std::int64_t s = images.dim(2), plane = s * images.dim(3);
    std::vector<float> planes(static_cast<std::size_t>(n * arch_.num_classes * plane), 0.f);
    for (std::int64_t i = 0; i < n; ++i) {
      float* p = planes.data() + (i * arch_.num_classes + labels[i]) * plane;
      std::fill(p, p + plane, 1.f);
    }
    nn::Tensor lab = nn::Tensor::from_vector({n, arch_.num_classes, s, images.dim(3)}, planes);
    const std::array<nn::Tensor, 2> xs{images, lab};
    out = net_->forward_n(xs);
  } else {
    out = net_->forward(images);
  }
  head_dims_ = out.dims();
  const std::vector<float> v = out.to_vector();
  const std::int64_t k = out.dim(1);
  std::vector<float> logits(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) logits[i] = v[i * k + (projection() ? labels[i] : 0)];
  return logits;
}

nn::Tensor Discriminator::backward(const std::vector<float>& dlogits) {
  const std::int64_t n = static_cast<std::int64_t>(labels_.size());
  if (static_cast<std::int64_t>(dlogits.size()) != n)
    throw nn::Error("Discriminator: backward got " + std::to_string(dlogits.size()) + " gradients for " + std::to_string(n) + " logits");
  const std::int64_t k = head_dims_.at(1);
  std::vector<float> dy(static_cast<std::size_t>(n * k), 0.f);
  for (std::int64_t i = 0; i < n; ++i) dy[i * k + (projection() ? labels_[i] : 0)] = dlogits[i];
  nn::Tensor dyt = nn::Tensor::from_vector(head_dims_, dy);
  if (concat()) return net_->backward_n(dyt).at(0);
  return net_->backward(dyt);
}

}  // namespace cvpipe::gan
