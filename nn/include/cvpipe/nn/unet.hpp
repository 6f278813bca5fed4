// U-Net builder shared by the image-to-image plugins (inpaint, colorize / translate) and the
// detector's feature pyramid.
//
//   input [N, in_channels, H, W]   (H and W multiples of 2^levels)
//     enc0 = block(in -> w0)                       w_i = min(base_width * 2^i, max_width)
//     enc_i = block(MaxPool2(enc_{i-1}) -> w_i)    i = 1 .. levels
//     (bottleneck: the deepest block, followed by one 3x3 conv + ReLU per entry of
//      bottleneck_dilations, each with that dilation: a wide receptive field at little cost)
//     dec_i = block(concat(up(dec_{i+1}), enc_i) -> w_i)   i = levels-1 .. output_level
//     head  = 1x1 conv(w_output_level -> out_channels)      (no activation: logits / residuals)
//   output [N, out_channels, H / 2^output_level, W / 2^output_level]
//
// block = two 3x3 convs, each followed by BatchNorm2d (when batch_norm) and ReLU; with `gated`
// each conv is a gated convolution (Yu et al., 2019): ELU(conv_f(x)) * sigmoid(conv_g(x)), which
// learns where its input is valid (inpainting holes). up = bilinear 2x Upsample then a 3x3 conv
// (no checkerboard), or a 2x2 stride-2 ConvTranspose2d with `transpose_up`.
//
// Parameter names are stable ("enc0.0.weight", "dec1.3.weight", "head.weight" ...): a model file
// records UNetOptions (to_json / from_json) and rebuilds the same graph to load its weights.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "cvpipe/nn/containers.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::nn {

struct UNetOptions {
  int in_channels = 3;
  int out_channels = 3;
  int base_width = 32;
  int max_width = 256;
  int levels = 4;                          // number of 2x downsamplings (>= 1)
  int output_level = 0;                    // decoder stops at this level (0: full resolution)
  bool batch_norm = true;
  bool gated = false;                      // gated convolutions in every block
  bool transpose_up = false;               // ConvTranspose2d upsampling instead of bilinear + conv
  std::vector<int> bottleneck_dilations{}; // extra dilated 3x3 convs after the deepest block
};

// The graph described above. Throws nn::Error for invalid options.
std::shared_ptr<Graph> make_unet(const UNetOptions& options);
// The input side must be a multiple of this (2^levels).
int unet_multiple(const UNetOptions& options);
// JSON object of the options (for a model file's "architecture", merged under key "unet").
std::string unet_to_json(const UNetOptions& options);
// Parses unet_to_json()'s output (missing keys keep their defaults); errors name `label`.
Status unet_from_json(const std::string& json, const std::string& label, UNetOptions& out);

}  // namespace cvpipe::nn
