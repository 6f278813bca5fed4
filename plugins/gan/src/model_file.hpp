// The generator model file: a safetensors file holding the generator's parameters and BatchNorm
// running statistics (f32, PyTorch shapes and names: deconv1.weight, bn1.running_mean, ...) and
// in "__metadata__": format, arch (GanArch JSON), preprocessing (JSON: polarity, value range, how
// training images were made), class_names (JSON array) and, optionally, training (JSON: recipe, time,
// metrics).
//
// Guarantees: load_generator() validates the whole file before building anything: format tag, arch,
// every expected tensor present with the right shape and dtype, no unexpected tensor, class names
// matching num_classes. Errors name the file and the tensor. save_generator() is atomic.
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cvpipe/status.hpp"
#include "generator.hpp"

namespace cvpipe::gan {

inline constexpr const char* kGeneratorFormat = "cvpipe-gan-generator/1";

struct GeneratorFile {
  std::unique_ptr<Generator> generator;  // in eval mode
  std::vector<std::string> class_names;
  std::map<std::string, std::string> metadata;
};

Status save_generator(const std::filesystem::path& path, Generator& generator,
                      const std::vector<std::string>& class_names,
                      const std::map<std::string, std::string>& extra_metadata = {});
Status load_generator(const std::filesystem::path& path, GeneratorFile& out);

// Names "0".."n-1".
std::vector<std::string> default_class_names(int n);

// Finds a model file: `given` when it exists; else, for a relative path, the same path (or just its
// file name under models/) in the places cvpipe/model_file.hpp lists (working directory, $CVPIPE_MODELS,
// the cvpipe source tree, the install share folder). Returns `given` unchanged when nothing matches.
std::filesystem::path locate_model(const std::filesystem::path& given);

}  // namespace cvpipe::gan
