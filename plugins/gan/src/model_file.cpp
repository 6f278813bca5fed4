// The generator model file: see model_file.hpp.
#include "model_file.hpp"

#include <nlohmann/json.hpp>

#include "cvpipe/model_file.hpp"
#include "cvpipe/nn/safetensors.hpp"

namespace cvpipe::gan {

std::vector<std::string> default_class_names(int n) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back(std::to_string(i));
  return names;
}

Status save_generator(const std::filesystem::path& path, Generator& generator,
                      const std::vector<std::string>& class_names,
                      const std::map<std::string, std::string>& extra_metadata) {
  const GanArch& arch = generator.arch();
  if (static_cast<int>(class_names.size()) != arch.num_classes)
    return Status::invalid("gan: " + std::to_string(class_names.size()) + " class names for " +
                           std::to_string(arch.num_classes) + " classes");
  nn::SafeTensors st;
  for (const auto& np : generator.net().named_parameters()) {
    const auto v = np.param->value.to_vector();
    st.set_f32(np.name, np.param->value.dims(), v);
  }
  for (const auto& nb : generator.net().named_buffers()) {
    const auto v = nb.tensor.to_vector();
    st.set_f32(nb.name, nb.tensor.dims(), v);
  }
  st.metadata = extra_metadata;
  st.metadata["format"] = kGeneratorFormat;
  st.metadata["arch"] = arch.to_json();
  st.metadata["class_names"] = nlohmann::json(class_names).dump();
  if (!st.metadata.count("preprocessing")) {
    st.metadata["preprocessing"] = nlohmann::json{{"polarity", "white_on_black"},
                                                  {"range", "tanh [-1, 1] -> [0, 255]"},
                                                  {"channels", 1},
                                                  {"size", arch.image_size}}.dump();
  }
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  return st.save(path);
}

Status load_generator(const std::filesystem::path& path, GeneratorFile& out) {
  const std::string where = "gan model '" + path.string() + "'";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::not_found(where + " does not exist");
  nn::SafeTensors st;
  CVPIPE_RETURN_IF_ERROR(nn::SafeTensors::load(path, st));
  auto meta = [&](const char* key) -> const std::string* {
    auto it = st.metadata.find(key);
    return it == st.metadata.end() ? nullptr : &it->second;
  };
  const std::string* format = meta("format");
  if (!format || *format != kGeneratorFormat)
    return Status::invalid(where + " is not a gan generator file (metadata 'format' is '" +
                           (format ? *format : std::string("missing")) + "', expected '" + kGeneratorFormat + "')");
  const std::string* arch_text = meta("arch");
  if (!arch_text) return Status::invalid(where + ": metadata 'arch' is missing");
  GanArch arch;
  if (Status s = GanArch::from_json(*arch_text, arch); !s.ok()) return Status::invalid(where + ": " + s.message());

  std::vector<std::string> names = default_class_names(arch.num_classes);
  if (const std::string* cn = meta("class_names")) {
    nlohmann::json j = nlohmann::json::parse(*cn, nullptr, false);
    if (j.is_discarded() || !j.is_array()) return Status::invalid(where + ": metadata 'class_names' is not a JSON array");
    if (static_cast<int>(j.size()) != arch.num_classes)
      return Status::invalid(where + ": " + std::to_string(j.size()) + " class names for " +
                             std::to_string(arch.num_classes) + " classes");
    names.clear();
    for (const auto& e : j) names.push_back(e.is_string() ? e.get<std::string>() : e.dump());
  }

  auto gen = std::make_unique<Generator>(arch);
  std::map<std::string, nn::Tensor> expected;
  for (const auto& np : gen->net().named_parameters()) expected[np.name] = np.param->value;
  for (const auto& nb : gen->net().named_buffers()) expected[nb.name] = nb.tensor;
  std::vector<std::string> missing, unexpected;
  for (const auto& [name, t] : expected)
    if (!st.contains(name)) missing.push_back(name);
  for (const auto& name : st.names())
    if (!expected.count(name)) unexpected.push_back(name);
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  if (!missing.empty()) return Status::invalid(where + ": missing tensors: " + join(missing));
  if (!unexpected.empty()) return Status::invalid(where + ": unexpected tensors: " + join(unexpected));
  for (auto& [name, t] : expected) {
    const nn::StTensor* s = st.find(name);
    if (s->shape != t.dims())
      return Status::invalid(where + ": tensor '" + name + "' has shape " + nn::st_shape_string(s->shape) +
                             ", the architecture needs " + nn::st_shape_string(t.dims()));
    if (s->dtype != nn::StDtype::F32 && s->dtype != nn::StDtype::BF16 && s->dtype != nn::StDtype::F16)
      return Status::invalid(where + ": tensor '" + name + "' has dtype " + std::string(nn::st_dtype_name(s->dtype)) +
                             ", expected a float type");
    const std::vector<float> v = s->to_f32();
    t.from_vector(v);
  }
  for (nn::Parameter* p : gen->net().parameters()) p->mark_updated();
  gen->eval();
  out.generator = std::move(gen);
  out.class_names = std::move(names);
  out.metadata = st.metadata;
  return {};
}

std::filesystem::path locate_model(const std::filesystem::path& given) {
  std::error_code ec;
  if (given.empty() || std::filesystem::exists(given, ec)) return given;
  ModelSearch where;
#ifdef CVPIPE_SOURCE_DIR
  where.source_dir = CVPIPE_SOURCE_DIR;
#endif
  where.anchor = reinterpret_cast<const void*>(&locate_model);
  std::filesystem::path found;
  if (find_model_file(given.string(), where, found).ok()) return found;
  if (find_model_file((std::filesystem::path("models") / given.filename()).string(), where, found).ok()) return found;
  return given;
}

}  // namespace cvpipe::gan
