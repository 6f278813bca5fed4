// GanArch: the hyper-parameters that define the class-conditional DCGAN's two networks. Stored as
// JSON in the model file's "__metadata__" ("arch"), so a generator file describes itself.
//
// Guarantees: validate() accepts exactly what build code supports (32x32 images, 4 stages) and
// names the offending field otherwise; from_json() validates.
#pragma once
#include <string>

#include "cvpipe/status.hpp"

namespace cvpipe::gan {

// How the discriminator sees the class: a per-class output head (projection discriminator, the
// logit for the requested class is selected), one-hot label planes concatenated to its input, or both.
enum class DConditioning { projection, concat, both };

const char* to_string(DConditioning c);
bool parse_conditioning(const std::string& text, DConditioning& out);

struct GanArch {
  int z_dim = 100;          // latent size
  int num_classes = 10;     // one-hot size concatenated to z
  int image_size = 32;      // generator output side (1 channel, white on black, Tanh range)
  int g_channels = 128;     // generator: channels after the first deconvolution (then /2, /4)
  int d_channels = 32;      // discriminator: channels of the first convolution (then x2, x4)
  DConditioning d_conditioning = DConditioning::projection;
  // How training cells (20x20) were fitted into image_size: "pad" (centred, the generator draws
  // the digit in the middle 20x20) or "resize" (stretched). Evaluation inverts it.
  std::string fit = "pad";

  int image_channels() const { return 1; }
  Status validate() const;
  std::string to_json() const;
  static Status from_json(const std::string& text, GanArch& out);
};

}  // namespace cvpipe::gan
