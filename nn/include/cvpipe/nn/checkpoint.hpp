// Module <-> safetensors: save a network's named parameters and buffers (PyTorch state_dict names:
// "enc1.conv.weight", "bn.running_mean") with metadata, and load them back with full checking.
//
// Model files (weights + the metadata schema) are model_file.hpp's. Importing validates
// everything before changing the network: missing, unexpected and wrongly shaped tensors are ALL listed in one error naming the
// file; nothing is written unless the whole file matches. Any float or integer dtype is accepted
// and converted to f32; a [1]-shaped buffer also accepts a scalar []. torch's BatchNorm
// "*.num_batches_tracked" counters are ignored when the network has no such buffer.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cvpipe/nn/layer.hpp"
#include "cvpipe/nn/safetensors.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::nn {

// Adds every parameter and buffer of `net` as "<prefix><dotted name>" (F32 unless `store` says BF16/F16).
void export_module(Layer& net, SafeTensors& out, const std::string& prefix = "", StDtype store = StDtype::F32);

struct ImportOptions {
  std::string prefix{};          // tensors are looked up as prefix + name
  bool allow_unexpected = false; // tolerate file tensors under `prefix` that the network lacks
  bool allow_missing = false;    // leave network tensors absent from the file untouched
  bool validate_only = false;    // check names and shapes, change nothing
};
// `label` names the source in errors (usually the file path).
Status import_module(const SafeTensors& in, Layer& net, const std::string& label, const ImportOptions& options = {});

}  // namespace cvpipe::nn
