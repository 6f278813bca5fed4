// The model-file schema: see model_file.hpp.
#include "cvpipe/nn/model_file.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace cvpipe::nn {
namespace {

using nlohmann::json;

const std::string* find(const std::map<std::string, std::string>& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

// The metadata of an earlier dialect rewritten into the current keys.
std::map<std::string, std::string> upgrade(std::map<std::string, std::string> m) {
  const std::string format = m.count("format") ? m["format"] : "";
  if (format == "cvpipe.classify/1") {
    // classify: "arch" {"name": "cnn"|"lenet", ...} and "preprocess" {...}.
    if (auto it = m.find("arch"); it != m.end()) {
      json a = json::parse(it->second, nullptr, false);
      if (a.is_object() && !a.contains("type")) a["type"] = "classify";
      m["architecture"] = a.is_discarded() ? it->second : a.dump();
      m.erase(it);
    }
    if (auto it = m.find("preprocess"); it != m.end()) {
      m["preprocessing"] = it->second;
      m.erase(it);
    }
  } else if (format == "cvpipe-gan-generator/1") {
    if (auto it = m.find("arch"); it != m.end()) {
      m["architecture"] = it->second;
      m.erase(it);
    }
  }
  if (auto it = m.find("train_params"); it != m.end() && !m.count("recipe")) {
    m["recipe"] = it->second;
    m.erase(it);
  }
  if (format != "pt") m["format"] = "pt";
  return m;
}

Status json_object(const std::string& text, const std::string& label, const char* key, bool required) {
  if (text.empty() && !required) return Status::success();
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Status::invalid(fmt::format("{}: metadata '{}' is not a JSON object", label, key));
  return Status::success();
}

}  // namespace

#ifndef CVPIPE_VERSION
#define CVPIPE_VERSION "unknown"
#endif
const char* cvpipe_version() { return CVPIPE_VERSION; }

std::string ModelInfo::architecture_type() const {
  const json j = json::parse(architecture, nullptr, false);
  if (j.is_object() && j.contains("type") && j["type"].is_string()) return j["type"].get<std::string>();
  return {};
}

ModelInfo trained_by(const Params& recipe, const CommandContext& ctx) {
  ModelInfo info;
  json r = json::object();
  for (const auto& [k, v] : recipe.values()) {
    if (auto b = std::get_if<bool>(&v)) r[k] = *b;
    else if (auto i = std::get_if<int64_t>(&v)) r[k] = *i;
    else if (auto d = std::get_if<double>(&v)) r[k] = *d;
    else r[k] = std::get<std::string>(v);
  }
  info.recipe = r.dump();
  info.command = ctx.command_line;
  return info;
}

Status read_model_info(const std::map<std::string, std::string>& metadata_in, const std::string& label, ModelInfo& out) {
  const std::map<std::string, std::string> m = upgrade(metadata_in);
  ModelInfo info;
  const std::string* arch = find(m, "architecture");
  if (!arch) return Status::invalid(fmt::format("{}: not a cvpipe model file: metadata has no 'architecture'", label));
  CVPIPE_RETURN_IF_ERROR(json_object(*arch, label, "architecture", true));
  info.architecture = *arch;
  if (info.architecture_type().empty())
    return Status::invalid(fmt::format("{}: metadata 'architecture' has no \"type\" string", label));
  if (const std::string* schema = find(m, "cvpipe.model"); schema && *schema != k_model_schema)
    return Status::invalid(fmt::format("{}: model schema version '{}', this cvpipe reads '{}'", label, *schema, k_model_schema));
  if (const std::string* pre = find(m, "preprocessing")) {
    CVPIPE_RETURN_IF_ERROR(json_object(*pre, label, "preprocessing", true));
    info.preprocessing = *pre;
  }
  if (const std::string* names = find(m, "class_names")) {
    const json j = json::parse(*names, nullptr, false);
    if (j.is_discarded() || !j.is_array())
      return Status::invalid(fmt::format("{}: metadata 'class_names' is not a JSON array of strings", label));
    for (const auto& e : j) {
      if (!e.is_string()) return Status::invalid(fmt::format("{}: metadata 'class_names' is not a JSON array of strings", label));
      info.class_names.push_back(e.get<std::string>());
    }
  }
  if (const std::string* recipe = find(m, "recipe")) {
    CVPIPE_RETURN_IF_ERROR(json_object(*recipe, label, "recipe", false));
    info.recipe = *recipe;
  }
  if (const std::string* command = find(m, "command")) info.command = *command;
  if (const std::string* version = find(m, "cvpipe.version")) info.version = *version;
  for (const auto& [k, v] : m)
    if (k != "format" && k != "cvpipe.model" && k != "cvpipe.version" && k != "architecture" && k != "preprocessing" &&
        k != "class_names" && k != "recipe" && k != "command")
      info.extra[k] = v;
  out = std::move(info);
  return Status::success();
}

std::map<std::string, std::string> model_metadata(const ModelInfo& info) {
  std::map<std::string, std::string> m = info.extra;
  m["format"] = "pt";
  m["cvpipe.model"] = k_model_schema;
  m["cvpipe.version"] = cvpipe_version();
  m["architecture"] = info.architecture;
  m["preprocessing"] = info.preprocessing.empty() ? "{}" : info.preprocessing;
  if (!info.class_names.empty()) m["class_names"] = json(info.class_names).dump();
  if (!info.recipe.empty()) m["recipe"] = info.recipe;
  if (!info.command.empty()) m["command"] = info.command;
  return m;
}

Status save_model(const std::filesystem::path& path, Layer& net, const ModelInfo& info, StDtype store) {
  const std::string label = path.string();
  ModelInfo checked;
  CVPIPE_RETURN_IF_ERROR(read_model_info(model_metadata(info), label, checked));
  SafeTensors st;
  st.metadata = model_metadata(info);
  export_module(net, st, "", store);
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  return st.save(path);
}

Status read_model_file(const std::filesystem::path& path, SafeTensors& file, ModelInfo& info) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Status::not_found(fmt::format("model file '{}' does not exist", path.string()));
  CVPIPE_RETURN_IF_ERROR(SafeTensors::load(path, file));
  return read_model_info(file.metadata, path.string(), info);
}

Status load_model(const std::filesystem::path& path, Layer& net, ModelInfo* info, const ImportOptions& options) {
  SafeTensors st;
  ModelInfo read;
  CVPIPE_RETURN_IF_ERROR(read_model_file(path, st, read));
  CVPIPE_RETURN_IF_ERROR(import_module(st, net, path.string(), options));
  if (info) *info = std::move(read);
  return Status::success();
}

}  // namespace cvpipe::nn
