// Parameter initialisers (torch.nn.init semantics), seeded: the same Rng state gives the same
// values on every machine and thread count (values are drawn serially, in parameter order).
// Every function writes value in place and calls mark_updated().
//
// Fans follow torch: for a tensor [d0, d1, k...], fan_in = d1 * prod(k), fan_out = d0 * prod(k)
// (so for ConvTranspose2d's [in, out, k, k] weight, fan_in is out * k * k, as in torch).
#pragma once
#include <string>

#include "cvpipe/nn/layer.hpp"
#include "cvpipe/nn/parameter.hpp"
#include "cvpipe/nn/random.hpp"

namespace cvpipe::nn {

enum class FanMode { fan_in, fan_out };

struct Fans {
  double fan_in = 1;
  double fan_out = 1;
};
Fans compute_fans(const Dims& dims);

// torch.nn.init.calculate_gain for "linear"/"conv"/"sigmoid" (1), "tanh" (5/3), "relu" (sqrt 2),
// "leaky_relu" (sqrt(2 / (1 + a^2))), "selu" (3/4). Throws std::invalid_argument otherwise.
double calculate_gain(const std::string& nonlinearity, double a = 0.0);

void constant_init(Parameter& p, float value);
void uniform_init(Parameter& p, Rng& rng, double lo, double hi);
void normal_init(Parameter& p, Rng& rng, double mean, double std);
// std = gain / sqrt(fan), gain from `nonlinearity` with negative slope a.
void kaiming_normal(Parameter& p, Rng& rng, FanMode mode = FanMode::fan_in, const std::string& nonlinearity = "relu",
                    double a = 0.0);
// bound = gain * sqrt(3 / fan).
void kaiming_uniform(Parameter& p, Rng& rng, FanMode mode = FanMode::fan_in, const std::string& nonlinearity = "relu",
                     double a = 0.0);
// bound = gain * sqrt(6 / (fan_in + fan_out)).
void xavier_uniform(Parameter& p, Rng& rng, double gain = 1.0);
void xavier_normal(Parameter& p, Rng& rng, double gain = 1.0);

// Whole-network schemes, applied to every Conv2d, ConvTranspose2d, Linear and BatchNorm2d inside
// `net` (recursively, in named_parameters order):
enum class InitScheme {
  torch_default,  // what torch layers do at construction: kaiming_uniform(a=sqrt 5) weights,
                  // U(+-1/sqrt(fan_in)) biases; BN weight 1, bias 0
  kaiming,        // kaiming_normal(fan_in, relu) weights, zero biases; BN weight 1, bias 0
  xavier,         // xavier_uniform weights, zero biases; BN weight 1, bias 0
  gan,            // DCGAN: conv/linear weights N(0, 0.02), zero biases; BN weight N(1, 0.02), bias 0
};
void init_network(Layer& net, InitScheme scheme, Rng& rng);
// Parses "torch_default" | "kaiming" | "xavier" | "gan"; throws std::invalid_argument otherwise.
InitScheme init_scheme_from_name(const std::string& name);

}  // namespace cvpipe::nn
