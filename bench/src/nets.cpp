// The benchmark architectures and synthetic data (see nets.hpp).
#include "cvpipe/bench/nets.hpp"

#include "cvpipe/nn/layers.hpp"

namespace cvpipe::bench {

using namespace cvpipe::nn;

std::shared_ptr<Sequential> make_lenet() {
  auto net = std::make_shared<Sequential>();
  net->emplace<Conv2d>("conv1", 3, 6, 5);
  net->emplace<ReLU>("relu1");
  net->emplace<MaxPool2d>("pool1", 2);
  net->emplace<Conv2d>("conv2", 6, 16, 5);
  net->emplace<ReLU>("relu2");
  net->emplace<MaxPool2d>("pool2", 2);
  net->emplace<Flatten>("flatten");
  net->emplace<Linear>("fc1", 400, 120);
  net->emplace<ReLU>("relu3");
  net->emplace<Linear>("fc2", 120, 84);
  net->emplace<ReLU>("relu4");
  net->emplace<Linear>("fc3", 84, 10);
  return net;
}

std::shared_ptr<Sequential> make_dcgan_generator() {
  auto g = std::make_shared<Sequential>();
  g->emplace<ConvTranspose2d>("0", 100, 128, 4, 1, 0, 0, false);
  g->emplace<BatchNorm2d>("1", 128);
  g->emplace<ReLU>("2");
  g->emplace<ConvTranspose2d>("3", 128, 64, 4, 2, 1, 0, false);
  g->emplace<BatchNorm2d>("4", 64);
  g->emplace<ReLU>("5");
  g->emplace<ConvTranspose2d>("6", 64, 32, 4, 2, 1, 0, false);
  g->emplace<BatchNorm2d>("7", 32);
  g->emplace<ReLU>("8");
  g->emplace<ConvTranspose2d>("9", 32, 1, 4, 2, 1, 0, false);
  g->emplace<Tanh>("10");
  return g;
}

std::shared_ptr<Sequential> make_dcgan_discriminator() {
  auto d = std::make_shared<Sequential>();
  d->emplace<Conv2d>("0", 1, 32, 4, 2, 1, 1, 1, false);
  d->emplace<LeakyReLU>("1", 0.2f);
  d->emplace<Conv2d>("2", 32, 64, 4, 2, 1, 1, 1, false);
  d->emplace<BatchNorm2d>("3", 64);
  d->emplace<LeakyReLU>("4", 0.2f);
  d->emplace<Conv2d>("5", 64, 128, 4, 2, 1, 1, 1, false);
  d->emplace<BatchNorm2d>("6", 128);
  d->emplace<LeakyReLU>("7", 0.2f);
  d->emplace<Conv2d>("8", 128, 1, 4, 1, 0, 1, 1, false);
  return d;
}

std::shared_ptr<Sequential> make_dncnn() {
  auto net = std::make_shared<Sequential>();
  net->emplace<Conv2d>("0", 1, 32, 3, 1, 1);
  net->emplace<ReLU>("1");
  int idx = 2;
  for (int i = 0; i < 8; ++i) {
    net->emplace<Conv2d>(std::to_string(idx++), 32, 32, 3, 1, 1, 1, 1, false);
    net->emplace<BatchNorm2d>(std::to_string(idx++), 32);
    net->emplace<ReLU>(std::to_string(idx++));
  }
  net->emplace<Conv2d>(std::to_string(idx), 32, 1, 3, 1, 1);
  return net;
}

namespace {
std::shared_ptr<Sequential> double_conv(std::int64_t in, std::int64_t out) {
  auto s = std::make_shared<Sequential>();
  s->emplace<Conv2d>("0", in, out, 3, 1, 1, 1, 1, false);
  s->emplace<BatchNorm2d>("1", out);
  s->emplace<ReLU>("2");
  s->emplace<Conv2d>("3", out, out, 3, 1, 1, 1, 1, false);
  s->emplace<BatchNorm2d>("4", out);
  s->emplace<ReLU>("5");
  return s;
}
}  // namespace

std::shared_ptr<Graph> make_unet() {
  auto g = std::make_shared<Graph>(1);
  const int e1 = g->add("enc1", double_conv(3, 32), {g->input(0)});
  const int p1 = g->emplace<MaxPool2d>("pool1", {e1}, 2);
  const int e2 = g->add("enc2", double_conv(32, 64), {p1});
  const int p2 = g->emplace<MaxPool2d>("pool2", {e2}, 2);
  const int b = g->add("bottleneck", double_conv(64, 128), {p2});
  const int u2 = g->emplace<ConvTranspose2d>("up2", {b}, 128, 64, 2, 2);
  const int c2 = g->emplace<Concat>("cat2", {u2, e2});
  const int d2 = g->add("dec2", double_conv(128, 64), {c2});
  const int u1 = g->emplace<ConvTranspose2d>("up1", {d2}, 64, 32, 2, 2);
  const int c1 = g->emplace<Concat>("cat1", {u1, e1});
  const int d1 = g->add("dec1", double_conv(64, 32), {c1});
  g->emplace<Conv2d>("head", {d1}, 32, 3, 1);
  return g;
}

Tensor random_tensor(const Dims& dims, std::uint64_t seed, DType dtype, bool uniform) {
  Rng rng(seed);
  std::vector<float> v(static_cast<std::size_t>(product(dims)));
  for (auto& x : v) x = static_cast<float>(uniform ? uniform01(rng) : normal01(rng));
  return Tensor::from_vector(dims, v, dtype);
}

std::vector<int> random_labels(std::int64_t n, int classes, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<int> out(static_cast<std::size_t>(n));
  for (auto& y : out) y = static_cast<int>(uniform_int(rng, 0, classes - 1));
  return out;
}

}  // namespace cvpipe::bench
