// Parameter construction (plain f32 value and grad, zero-filled).
#include "cvpipe/nn/parameter.hpp"

namespace cvpipe::nn {

Parameter::Parameter(std::string n, const Dims& dims, bool d)
    : name(std::move(n)), value(Tensor::zeros(dims)), grad(Tensor::zeros(dims)), decay(d) {}

}  // namespace cvpipe::nn
