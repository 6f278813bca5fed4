// ModelSpec: everything a classifier model file declares about itself in its safetensors
// __metadata__ — architecture, input geometry, normalisation, class names and the image domain
// (how arbitrary pictures are mapped to what the network saw in training).
//
// The file follows nn's model-file schema (cvpipe/nn/model_file.hpp):
//   "architecture"  JSON {"type":"classify", "name":"cnn"|"lenet", "width":32, "dropout":0.3, "members":5}
//                   ("members" > 1: an ensemble of that many networks of this architecture, tensors
//                   "members.<i>.features..." / "members.<i>.head..."; their softmax outputs are averaged)
//   "preprocessing" JSON {"width":20, "height":20, "channels":1, "mean":[..], "std":[..],
//                         "domain":"digits"|"image", "polarity":"white_on_black"|"any",
//                         "fit":"pad"|"resize"|"letterbox"}
//   "class_names"   JSON list of strings (its length is the class count)
// The recipe, command and other keys (metrics) are kept in `extra` and written back unchanged.
// Files of the earlier dialect ("format": "cvpipe.classify/1", "arch", "preprocess") still load.
// from_metadata() validates every field and names the file and key in its error.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "cvpipe/nn/model_file.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::classify {

inline constexpr const char* kArchitectureType = "classify";
inline constexpr int kMaxMembers = 16;

struct ModelSpec {
  // Architecture.
  std::string arch = "cnn";   // "lenet" (LeNet-5 pattern) | "cnn" (BN, more channels, dropout)
  int width = 32;             // cnn: channels of the first block (doubling per block)
  float dropout = 0.3f;       // cnn: dropout before the classifier layer
  int members = 1;            // networks in the file (an ensemble when > 1)

  // Input geometry and normalisation: x = (pixel / 255 - mean[c]) / std[c], channels in BGR order.
  int input_width = 20;
  int input_height = 20;
  int input_channels = 1;     // 1 (gray) or 3 (BGR)
  std::vector<float> mean{0.f};
  std::vector<float> std{1.f};

  // Domain: "digits" = single handwritten characters, white ink on black, centred by mass in a
  // 20x20 cell with the longer side of the ink box 15 px (as digits.png); arbitrary pictures are
  // first mapped to such a cell (see preprocess.hpp). "image" = natural images, only resized.
  std::string domain = "digits";
  std::string polarity = "white_on_black";  // of the training images: white_on_black | any
  // How a prepared image (a 20x20 cell for digits) becomes input_width x input_height:
  // pad (centred on a zero canvas; resize when larger), resize (stretch), letterbox (keep aspect, pad).
  std::string fit = "pad";

  std::vector<std::string> class_names;
  std::map<std::string, std::string> extra;  // other metadata, kept verbatim

  int num_classes() const { return static_cast<int>(class_names.size()); }

  nn::ModelInfo to_model_info() const;
  std::map<std::string, std::string> to_metadata() const;  // the file's __metadata__
  // `label` names the file in errors.
  static Status from_model_info(const nn::ModelInfo& info, const std::string& label, ModelSpec& out);
  static Status from_metadata(const std::map<std::string, std::string>& metadata, const std::string& label,
                              ModelSpec& out);
  // Checks the fields for consistency (sizes, channels, mean/std lengths, names, choices).
  Status validate(const std::string& label) const;
};

}  // namespace cvpipe::classify
