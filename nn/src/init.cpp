// Seeded parameter initialisers. See init.hpp.
#include "cvpipe/nn/init.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "cvpipe/nn/layers.hpp"

namespace cvpipe::nn {
namespace {

template <class Fn>
void fill(Parameter& p, Fn&& draw) {
  float* w = p.value.data<float>();
  const std::int64_t n = p.numel();
  for (std::int64_t i = 0; i < n; ++i) w[i] = static_cast<float>(draw());
  p.mark_updated();
}

double fan(const Parameter& p, FanMode mode) {
  const Fans f = compute_fans(p.value.dims());
  return mode == FanMode::fan_in ? f.fan_in : f.fan_out;
}

void walk(Layer& layer, InitScheme scheme, Rng& rng) {
  const std::string type = layer.type();
  auto params = layer.local_parameters();
  auto weight = [&]() -> Parameter* {
    for (auto* p : params)
      if (p->name == "weight") return p;
    return nullptr;
  };
  auto bias = [&]() -> Parameter* {
    for (auto* p : params)
      if (p->name == "bias") return p;
    return nullptr;
  };
  if (type == "Conv2d" || type == "ConvTranspose2d" || type == "Linear") {
    Parameter* w = weight();
    Parameter* b = bias();
    if (w) {
      switch (scheme) {
        case InitScheme::torch_default: kaiming_uniform(*w, rng, FanMode::fan_in, "leaky_relu", std::sqrt(5.0)); break;
        case InitScheme::kaiming: kaiming_normal(*w, rng, FanMode::fan_in, "relu"); break;
        case InitScheme::xavier: xavier_uniform(*w, rng); break;
        case InitScheme::gan: normal_init(*w, rng, 0.0, 0.02); break;
      }
    }
    if (b) {
      if (scheme == InitScheme::torch_default && w) {
        const double fi = fan(*w, FanMode::fan_in);
        const double bound = fi > 0 ? 1.0 / std::sqrt(fi) : 0.0;
        uniform_init(*b, rng, -bound, bound);
      } else {
        constant_init(*b, 0.0f);
      }
    }
  } else if (type == "BatchNorm2d") {
    if (Parameter* w = weight()) {
      if (scheme == InitScheme::gan) normal_init(*w, rng, 1.0, 0.02);
      else constant_init(*w, 1.0f);
    }
    if (Parameter* b = bias()) constant_init(*b, 0.0f);
  }
  for (Layer* child : layer.children()) walk(*child, scheme, rng);
}

}  // namespace

Fans compute_fans(const Dims& dims) {
  if (dims.size() < 2) {
    const double n = dims.empty() ? 1.0 : static_cast<double>(dims[0]);
    return {n, n};
  }
  double receptive = 1;
  for (std::size_t i = 2; i < dims.size(); ++i) receptive *= static_cast<double>(dims[i]);
  return {static_cast<double>(dims[1]) * receptive, static_cast<double>(dims[0]) * receptive};
}

double calculate_gain(const std::string& nl, double a) {
  if (nl == "linear" || nl == "conv" || nl == "sigmoid" || nl == "identity") return 1.0;
  if (nl == "tanh") return 5.0 / 3.0;
  if (nl == "relu") return std::sqrt(2.0);
  if (nl == "leaky_relu") return std::sqrt(2.0 / (1.0 + a * a));
  if (nl == "selu") return 0.75;
  throw std::invalid_argument(fmt::format("init: unknown nonlinearity '{}'", nl));
}

void constant_init(Parameter& p, float value) {
  fill(p, [&] { return value; });
}

void uniform_init(Parameter& p, Rng& rng, double lo, double hi) {
  fill(p, [&] { return uniform(rng, lo, hi); });
}

void normal_init(Parameter& p, Rng& rng, double mean, double std) {
  fill(p, [&] { return mean + std * normal01(rng); });
}

void kaiming_normal(Parameter& p, Rng& rng, FanMode mode, const std::string& nonlinearity, double a) {
  const double std = calculate_gain(nonlinearity, a) / std::sqrt(fan(p, mode));
  normal_init(p, rng, 0.0, std);
}

void kaiming_uniform(Parameter& p, Rng& rng, FanMode mode, const std::string& nonlinearity, double a) {
  const double bound = calculate_gain(nonlinearity, a) * std::sqrt(3.0 / fan(p, mode));
  uniform_init(p, rng, -bound, bound);
}

void xavier_uniform(Parameter& p, Rng& rng, double gain) {
  const Fans f = compute_fans(p.value.dims());
  const double bound = gain * std::sqrt(6.0 / (f.fan_in + f.fan_out));
  uniform_init(p, rng, -bound, bound);
}

void xavier_normal(Parameter& p, Rng& rng, double gain) {
  const Fans f = compute_fans(p.value.dims());
  normal_init(p, rng, 0.0, gain * std::sqrt(2.0 / (f.fan_in + f.fan_out)));
}

void init_network(Layer& net, InitScheme scheme, Rng& rng) { walk(net, scheme, rng); }

InitScheme init_scheme_from_name(const std::string& name) {
  if (name == "torch_default" || name == "default") return InitScheme::torch_default;
  if (name == "kaiming") return InitScheme::kaiming;
  if (name == "xavier") return InitScheme::xavier;
  if (name == "gan" || name == "dcgan") return InitScheme::gan;
  throw std::invalid_argument(fmt::format("unknown init scheme '{}' (expected torch_default, kaiming, xavier or gan)", name));
}

}  // namespace cvpipe::nn
