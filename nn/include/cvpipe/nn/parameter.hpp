// Parameter: a trainable tensor (f32 master value + f32 gradient) and NamedTensor for buffers.
//
// Layout contract (stable): value and grad are ALWAYS plain row-major f32 in PyTorch's logical
// shape (Conv2d weight [O, I/groups, kH, kW]; ConvTranspose2d weight [I, O/groups, kH, kW];
// Linear weight [O, I]; biases / BN scale+shift [C]). So optimizers, initialisers and safetensors
// may work elementwise on value.data<float>() / grad.data<float>() with numel() elements.
// Layers derive their compute copies (blocked, maybe bf16) from value lazily: whoever modifies
// value in place MUST call mark_updated() afterwards (optimizers once per step, loaders after
// from_vector), which bumps `version`; layers compare versions and refresh their cached copies.
// backward() ACCUMULATES into grad (grad += dL/dvalue); zero_grad() resets it.
// Replacing `value` with another Tensor is not allowed (keep the buffer; write into it).
#pragma once
#include <cstdint>
#include <string>

#include "cvpipe/nn/tensor.hpp"

namespace cvpipe::nn {

struct Parameter {
  std::string name;  // local name inside its layer: "weight", "bias"
  Tensor value;      // plain f32 master copy
  Tensor grad;       // plain f32, same dims as value
  bool decay = true; // weight decay applies (false for biases and BN scale/shift)
  std::uint64_t version = 0;

  Parameter() = default;
  Parameter(std::string name, const Dims& dims, bool decay = true);

  void mark_updated() { ++version; }
  void zero_grad() { grad.zero(); }
  std::int64_t numel() const { return value.numel(); }
};

// A named non-trainable tensor that belongs in a checkpoint (BN running mean / var, counters).
// `tensor` aliases the layer's own buffer (plain f32): writing it changes the layer; call
// Layer::buffers_updated() afterwards is NOT needed (layers read buffers on every use).
struct NamedTensor {
  std::string name;
  Tensor tensor;
};

// A parameter with its full dotted name in a module ("enc1.conv.weight").
struct NamedParameter {
  std::string name;
  Parameter* param = nullptr;
};

}  // namespace cvpipe::nn
