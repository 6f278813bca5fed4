// The generator model file: nn's model file (cvpipe/nn/model_file.hpp) holding the generator's
// parameters and BatchNorm running statistics (PyTorch names: deconv1.weight, bn1.running_mean,
// ...), with architecture = GanArch JSON (type "cdcgan"), preprocessing (polarity, value range, how
// training images were made), class_names, and the recipe / command / metrics of its training.
//
// Guarantees: load_generator() validates the whole file before building anything: the metadata
// schema, the architecture, every expected tensor present with the right shape, no unexpected
// tensor, class names matching num_classes. Errors name the file and the tensor. save_generator()
// is atomic.
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cvpipe/nn/model_file.hpp"
#include "cvpipe/status.hpp"
#include "generator.hpp"

namespace cvpipe::gan {

struct GeneratorFile {
  std::unique_ptr<Generator> generator;  // in eval mode
  std::vector<std::string> class_names;
  nn::ModelInfo info;
};

// `info` supplies the training record (recipe, command, extra); architecture, preprocessing (when
// empty) and class names are filled from the generator.
Status save_generator(const std::filesystem::path& path, Generator& generator,
                      const std::vector<std::string>& class_names, nn::ModelInfo info = {});
Status load_generator(const std::filesystem::path& path, GeneratorFile& out);

// Names "0".."n-1".
std::vector<std::string> default_class_names(int n);

}  // namespace cvpipe::gan
