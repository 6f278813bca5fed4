// ModelSpec <-> safetensors __metadata__ (see model_spec.hpp for the keys).
#include "cvpipe/classify/model_spec.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "cvpipe/nn/json_number.hpp"

namespace cvpipe::classify {

namespace {

using nlohmann::json;

bool one_of(const std::string& v, std::initializer_list<const char*> choices) {
  return std::any_of(choices.begin(), choices.end(), [&](const char* c) { return v == c; });
}

}  // namespace

nn::ModelInfo ModelSpec::to_model_info() const {
  nn::ModelInfo info;
  info.extra = extra;
  if (auto it = info.extra.find("recipe"); it != info.extra.end()) {
    info.recipe = it->second;
    info.extra.erase(it);
  }
  if (auto it = info.extra.find("command"); it != info.extra.end()) {
    info.command = it->second;
    info.extra.erase(it);
  }
  json arch_j = {{"type", kArchitectureType}, {"name", arch}, {"width", width}, {"dropout", dropout}};
  if (members > 1) arch_j["members"] = members;
  info.architecture = arch_j.dump();
  json pre = {{"width", input_width}, {"height", input_height}, {"channels", input_channels},
              {"mean", mean},         {"std", std},            {"domain", domain},
              {"polarity", polarity}, {"fit", fit}};
  info.preprocessing = pre.dump();
  info.class_names = class_names;
  return info;
}

std::map<std::string, std::string> ModelSpec::to_metadata() const { return nn::model_metadata(to_model_info()); }

Status ModelSpec::validate(const std::string& label) const {
  auto bad = [&](const std::string& what) { return Status::invalid(label + ": " + what); };
  if (!one_of(arch, {"cnn", "lenet"})) return bad("unknown architecture '" + arch + "' (expected cnn or lenet)");
  if (width < 4 || width > 512) return bad("architecture width " + std::to_string(width) + " is outside [4, 512]");
  if (!(dropout >= 0.f && dropout < 1.f)) return bad("dropout must be in [0, 1)");
  if (members < 1 || members > kMaxMembers)
    return bad("ensemble members " + std::to_string(members) + " is outside [1, " + std::to_string(kMaxMembers) + "]");
  if (input_width < 8 || input_height < 8 || input_width > 1024 || input_height > 1024)
    return bad("input size " + std::to_string(input_width) + "x" + std::to_string(input_height) +
               " is outside [8, 1024]");
  if (arch == "lenet") {
    // conv5 -> pool2 -> conv5 -> pool2 must leave at least 1x1.
    auto out = [](int s) { return ((s - 4) / 2 - 4) / 2; };
    if (out(input_width) < 1 || out(input_height) < 1)
      return bad("lenet needs an input of at least 16x16, got " + std::to_string(input_width) + "x" +
                 std::to_string(input_height));
  }
  if (input_channels != 1 && input_channels != 3)
    return bad("input channels must be 1 or 3, got " + std::to_string(input_channels));
  if (static_cast<int>(mean.size()) != input_channels || static_cast<int>(std.size()) != input_channels)
    return bad("preprocess mean/std need " + std::to_string(input_channels) + " value(s) each");
  for (float s : std)
    if (!(s > 0.f) || !std::isfinite(s)) return bad("preprocess std values must be positive");
  for (float v : mean)
    if (!std::isfinite(v)) return bad("preprocess mean values must be finite");
  if (!one_of(domain, {"digits", "image"})) return bad("unknown domain '" + domain + "' (expected digits or image)");
  if (!one_of(polarity, {"white_on_black", "any"}))
    return bad("unknown polarity '" + polarity + "' (expected white_on_black or any)");
  if (!one_of(fit, {"pad", "resize", "letterbox"})) return bad("unknown fit '" + fit + "' (expected pad, resize or letterbox)");
  if (class_names.size() < 2) return bad("a classifier needs at least 2 class names");
  for (std::size_t i = 0; i < class_names.size(); ++i)
    if (class_names[i].empty()) return bad("class name " + std::to_string(i) + " is empty");
  return {};
}

Status ModelSpec::from_metadata(const std::map<std::string, std::string>& metadata, const std::string& label,
                                ModelSpec& out) {
  nn::ModelInfo info;
  CVPIPE_RETURN_IF_ERROR(nn::read_model_info(metadata, label, info));
  return from_model_info(info, label, out);
}

Status ModelSpec::from_model_info(const nn::ModelInfo& info, const std::string& label, ModelSpec& out) {
  auto bad = [&](const std::string& what) { return Status::invalid(label + ": " + what); };
  if (info.architecture_type() != kArchitectureType)
    return bad("not a classify model (architecture type '" + info.architecture_type() + "', expected '" +
               kArchitectureType + "')");
  ModelSpec s;
  try {
    const json a = json::parse(info.architecture);
    s.arch = a.at("name").get<std::string>();
    if (a.contains("width")) s.width = nn::json_int(a.at("width"), "width");
    if (a.contains("dropout")) s.dropout = a.at("dropout").get<float>();
    if (a.contains("members")) s.members = nn::json_int(a.at("members"), "members");
  } catch (const std::exception& e) {
    return bad(std::string("metadata 'architecture' is malformed: ") + e.what());
  }
  try {
    const json p = json::parse(info.preprocessing);
    s.input_width = nn::json_int(p.at("width"), "width");
    s.input_height = nn::json_int(p.at("height"), "height");
    s.input_channels = nn::json_int(p.at("channels"), "channels");
    s.mean = p.at("mean").get<std::vector<float>>();
    s.std = p.at("std").get<std::vector<float>>();
    if (p.contains("domain")) s.domain = p.at("domain").get<std::string>();
    if (p.contains("polarity")) s.polarity = p.at("polarity").get<std::string>();
    if (p.contains("fit")) s.fit = p.at("fit").get<std::string>();
  } catch (const std::exception& e) {
    return bad(std::string("metadata 'preprocessing' is malformed: ") + e.what());
  }
  if (info.class_names.empty()) return bad("metadata key 'class_names' is missing");
  s.class_names = info.class_names;
  s.extra = info.extra;
  if (!info.recipe.empty()) s.extra["recipe"] = info.recipe;
  if (!info.command.empty()) s.extra["command"] = info.command;
  CVPIPE_RETURN_IF_ERROR(s.validate(label));
  out = std::move(s);
  return {};
}

}  // namespace cvpipe::classify
