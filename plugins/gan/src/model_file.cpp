// The generator model file: see model_file.hpp.
#include "model_file.hpp"

#include <nlohmann/json.hpp>

#include "cvpipe/nn/safetensors.hpp"

namespace cvpipe::gan {

std::vector<std::string> default_class_names(int n) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back(std::to_string(i));
  return names;
}

Status save_generator(const std::filesystem::path& path, Generator& generator,
                      const std::vector<std::string>& class_names, nn::ModelInfo info) {
  const GanArch& arch = generator.arch();
  if (static_cast<int>(class_names.size()) != arch.num_classes)
    return Status::invalid("gan: " + std::to_string(class_names.size()) + " class names for " +
                           std::to_string(arch.num_classes) + " classes");
  info.architecture = arch.to_json();
  info.class_names = class_names;
  if (info.preprocessing.empty() || info.preprocessing == "{}") {
    info.preprocessing = nlohmann::json{{"polarity", "white_on_black"},
                                        {"range", "tanh [-1, 1] -> [0, 255]"},
                                        {"channels", 1},
                                        {"size", arch.image_size}}.dump();
  }
  return nn::save_model(path, generator.net(), info);
}

Status load_generator(const std::filesystem::path& path, GeneratorFile& out) {
  const std::string where = "gan model '" + path.string() + "'";
  nn::SafeTensors st;
  nn::ModelInfo info;
  CVPIPE_RETURN_IF_ERROR(nn::read_model_file(path, st, info));
  if (info.architecture_type() != "cdcgan")
    return Status::invalid(where + " is not a gan generator (architecture type '" + info.architecture_type() +
                           "', expected 'cdcgan')");
  GanArch arch;
  if (Status s = GanArch::from_json(info.architecture, arch); !s.ok()) return Status::invalid(where + ": " + s.message());
  std::vector<std::string> names = info.class_names.empty() ? default_class_names(arch.num_classes) : info.class_names;
  if (static_cast<int>(names.size()) != arch.num_classes)
    return Status::invalid(where + ": " + std::to_string(names.size()) + " class names for " +
                           std::to_string(arch.num_classes) + " classes");
  auto gen = std::make_unique<Generator>(arch);
  CVPIPE_RETURN_IF_ERROR(nn::import_module(st, gen->net(), where));
  gen->eval();
  out.generator = std::move(gen);
  out.class_names = std::move(names);
  out.info = std::move(info);
  return {};
}

}  // namespace cvpipe::gan
