// Generator: see generator.hpp.
#include "generator.hpp"

#include <cstring>
#include <stdexcept>

#include "cvpipe/nn/layers.hpp"

namespace cvpipe::gan {

Generator::Generator(const GanArch& arch) : arch_(arch), net_(std::make_shared<nn::Sequential>()) {
  if (Status s = arch.validate(); !s.ok()) throw std::invalid_argument(s.message());
  const std::int64_t in = arch.z_dim + arch.num_classes;
  const std::int64_t c1 = arch.g_channels, c2 = c1 / 2, c3 = c1 / 4;
  auto& g = *net_;
  g.emplace<nn::ConvTranspose2d>("deconv1", in, c1, 4, 1, 0, 0, false);
  g.emplace<nn::BatchNorm2d>("bn1", c1);
  g.emplace<nn::ReLU>("relu1");
  g.emplace<nn::ConvTranspose2d>("deconv2", c1, c2, 4, 2, 1, 0, false);
  g.emplace<nn::BatchNorm2d>("bn2", c2);
  g.emplace<nn::ReLU>("relu2");
  g.emplace<nn::ConvTranspose2d>("deconv3", c2, c3, 4, 2, 1, 0, false);
  g.emplace<nn::BatchNorm2d>("bn3", c3);
  g.emplace<nn::ReLU>("relu3");
  g.emplace<nn::ConvTranspose2d>("deconv4", c3, arch.image_channels(), 4, 2, 1, 0, true);
  g.emplace<nn::Tanh>("tanh");
  // The latent input needs no gradient.
  g.set_needs_input_grad(false);
}

nn::Tensor Generator::forward(const std::vector<float>& z, const std::vector<float>& classes, int n) {
  const std::size_t zd = static_cast<std::size_t>(arch_.z_dim), cd = static_cast<std::size_t>(arch_.num_classes);
  if (n < 1 || z.size() != n * zd || classes.size() != n * cd)
    throw nn::Error("Generator: expected " + std::to_string(n) + " latent vectors of " + std::to_string(zd) +
                    " and class vectors of " + std::to_string(cd) + " values");
  std::vector<float> input(n * (zd + cd));
  for (int i = 0; i < n; ++i) {
    float* row = input.data() + i * (zd + cd);
    std::memcpy(row, z.data() + i * zd, zd * sizeof(float));
    std::memcpy(row + zd, classes.data() + i * cd, cd * sizeof(float));
  }
  nn::Tensor x = nn::Tensor::from_vector({n, static_cast<std::int64_t>(zd + cd), 1, 1}, input);
  return net_->forward(x);
}

void Generator::backward(const nn::Tensor& dy) { net_->backward(dy); }

std::vector<cv::Mat> Generator::generate(const std::vector<float>& z, const std::vector<float>& classes, int n) {
  return tensor_to_images(forward(z, classes, n));
}

std::vector<cv::Mat> tensor_to_images(const nn::Tensor& t) {
  const std::vector<float> v = t.to_vector();
  const int n = static_cast<int>(t.dim(0)), h = static_cast<int>(t.dim(2)), w = static_cast<int>(t.dim(3));
  const std::size_t plane = static_cast<std::size_t>(h) * w * static_cast<std::size_t>(t.dim(1));
  std::vector<cv::Mat> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) {
    cv::Mat m(h, w, CV_32F);
    std::memcpy(m.ptr<float>(), v.data() + i * plane, static_cast<std::size_t>(h) * w * sizeof(float));
    out.push_back(m);
  }
  return out;
}

std::vector<float> one_hot(const std::vector<int>& labels, int num_classes) {
  std::vector<float> out(labels.size() * static_cast<std::size_t>(num_classes), 0.f);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const int c = labels[i];
    if (c < 0 || c >= num_classes) throw nn::Error("one_hot: class " + std::to_string(c) + " out of range");
    out[i * num_classes + c] = 1.f;
  }
  return out;
}

}  // namespace cvpipe::gan
