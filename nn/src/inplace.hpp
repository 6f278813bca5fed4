// Internal: the rule containers use to decide in-place activations.
#pragma once
#include <string>

#include "cvpipe/nn/layer.hpp"

namespace cvpipe::nn::detail {

// True when `producer` always returns a buffer of its own (never a view of its input) and does not
// read that output in backward, so a single consumer may overwrite it.
inline bool output_is_private(const Layer& producer) {
  static const char* const kinds[] = {"Conv2d", "ConvTranspose2d", "Linear", "BatchNorm2d", "MaxPool2d",
                                      "AvgPool2d", "GlobalAvgPool", "Add", "Concat", "Upsample"};
  if (producer.needs_output_for_backward()) return false;
  const std::string t = producer.type();
  for (const char* k : kinds)
    if (t == k) return true;
  return false;
}

}  // namespace cvpipe::nn::detail
