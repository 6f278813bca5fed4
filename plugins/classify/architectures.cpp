// Classifier networks (lenet, cnn); see architectures.hpp.
#include "architectures.hpp"

#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/layers.hpp"

namespace cvpipe::classify {

namespace {

using nn::Sequential;

void conv_bn_relu(Sequential& s, std::int64_t in, std::int64_t out) {
  s.add(std::make_shared<nn::Conv2d>(in, out, 3, 1, 1, 1, 1, /*bias=*/false));
  s.add(std::make_shared<nn::BatchNorm2d>(out));
  s.add(std::make_shared<nn::ReLU>());
}

void build_lenet(const ModelSpec& spec, Network& n) {
  auto& f = *n.features;
  const std::int64_t c = spec.input_channels;
  const std::int64_t h = ((spec.input_height - 4) / 2 - 4) / 2;
  const std::int64_t w = ((spec.input_width - 4) / 2 - 4) / 2;
  f.add(std::make_shared<nn::Conv2d>(c, 6, 5));
  f.add(std::make_shared<nn::ReLU>());
  f.add(std::make_shared<nn::MaxPool2d>(2));
  f.add(std::make_shared<nn::Conv2d>(6, 16, 5));
  f.add(std::make_shared<nn::ReLU>());
  f.add(std::make_shared<nn::MaxPool2d>(2));
  f.add(std::make_shared<nn::Flatten>());
  f.add(std::make_shared<nn::Linear>(16 * h * w, 120));
  f.add(std::make_shared<nn::ReLU>());
  f.add(std::make_shared<nn::Linear>(120, 84));
  f.add(std::make_shared<nn::ReLU>());
  n.head->add(std::make_shared<nn::Linear>(84, spec.num_classes()));
  n.feature_dim = 84;
}

void build_cnn(const ModelSpec& spec, std::uint64_t seed, Network& n) {
  auto& f = *n.features;
  const std::int64_t w = spec.width;
  conv_bn_relu(f, spec.input_channels, w);
  conv_bn_relu(f, w, w);
  f.add(std::make_shared<nn::MaxPool2d>(2));
  conv_bn_relu(f, w, 2 * w);
  conv_bn_relu(f, 2 * w, 2 * w);
  f.add(std::make_shared<nn::MaxPool2d>(2));
  conv_bn_relu(f, 2 * w, 4 * w);
  f.add(std::make_shared<nn::GlobalAvgPool>());
  f.add(std::make_shared<nn::Flatten>());
  if (spec.dropout > 0.f) n.head->add(std::make_shared<nn::Dropout>(spec.dropout, seed ^ 0x9e3779b97f4a7c15ull));
  n.head->add(std::make_shared<nn::Linear>(4 * w, spec.num_classes()));
  n.feature_dim = static_cast<int>(4 * w);
}

}  // namespace

Status build_network(const ModelSpec& spec, std::uint64_t seed, const std::string& label, Network& out) {
  CVPIPE_RETURN_IF_ERROR(spec.validate(label));
  try {
    Network n;
    n.root = std::make_shared<Sequential>();
    n.features = std::make_shared<Sequential>();
    n.head = std::make_shared<Sequential>();
    if (spec.arch == "lenet") build_lenet(spec, n);
    else build_cnn(spec, seed, n);
    n.root->add("features", n.features);
    n.root->add("head", n.head);
    n.features->set_needs_input_grad(false);
    nn::Rng rng(seed);
    nn::init_network(*n.root, nn::InitScheme::kaiming, rng);
    out = std::move(n);
  } catch (const std::exception& e) {
    return Status::runtime(label + ": cannot build the " + spec.arch + " network: " + e.what());
  }
  return {};
}

Ensemble make_ensemble(std::vector<Network> members) {
  Ensemble e;
  e.members = std::move(members);
  if (e.members.size() == 1) {
    e.root = e.members.front().root;
    return e;
  }
  auto list = std::make_shared<Sequential>();
  for (std::size_t i = 0; i < e.members.size(); ++i) list->add(std::to_string(i), e.members[i].root);
  e.root = std::make_shared<Sequential>();
  e.root->add("members", list);
  return e;
}

Status build_ensemble(const ModelSpec& spec, std::uint64_t seed, const std::string& label, Ensemble& out) {
  std::vector<Network> members(static_cast<std::size_t>(spec.members));
  for (std::size_t i = 0; i < members.size(); ++i) CVPIPE_RETURN_IF_ERROR(build_network(spec, seed + i, label, members[i]));
  out = make_ensemble(std::move(members));
  return {};
}

std::string member_prefix(int i, int n) { return n == 1 ? std::string() : "members." + std::to_string(i) + "."; }

}  // namespace cvpipe::classify
