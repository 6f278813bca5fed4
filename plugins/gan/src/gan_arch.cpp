// GanArch: see gan_arch.hpp.
#include "gan_arch.hpp"

#include <nlohmann/json.hpp>

namespace cvpipe::gan {

const char* to_string(DConditioning c) {
  switch (c) {
    case DConditioning::projection: return "projection";
    case DConditioning::concat: return "concat";
    case DConditioning::both: return "both";
  }
  return "?";
}

bool parse_conditioning(const std::string& text, DConditioning& out) {
  if (text == "projection") out = DConditioning::projection;
  else if (text == "concat") out = DConditioning::concat;
  else if (text == "both") out = DConditioning::both;
  else return false;
  return true;
}

Status GanArch::validate() const {
  auto bad = [](const std::string& m) { return Status::invalid("gan architecture: " + m); };
  if (z_dim < 1 || z_dim > 4096) return bad("z_dim " + std::to_string(z_dim) + " is outside [1, 4096]");
  if (num_classes < 1 || num_classes > 1000) return bad("num_classes " + std::to_string(num_classes) + " is outside [1, 1000]");
  if (image_size != 32) return bad("image_size " + std::to_string(image_size) + " is not supported (only 32)");
  if (g_channels < 8 || g_channels > 2048 || g_channels % 4 != 0)
    return bad("g_channels " + std::to_string(g_channels) + " must be a multiple of 4 in [8, 2048]");
  if (d_channels < 2 || d_channels > 1024) return bad("d_channels " + std::to_string(d_channels) + " is outside [2, 1024]");
  if (fit != "pad" && fit != "resize") return bad("fit '" + fit + "' is not pad or resize");
  return {};
}

std::string GanArch::to_json() const {
  nlohmann::json j = {{"type", "cdcgan"},           {"z_dim", z_dim},
                      {"num_classes", num_classes}, {"image_size", image_size},
                      {"image_channels", 1},        {"g_channels", g_channels},
                      {"d_channels", d_channels},   {"d_conditioning", to_string(d_conditioning)},
                      {"fit", fit}};
  return j.dump();
}

Status GanArch::from_json(const std::string& text, GanArch& out) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::invalid("gan architecture: metadata 'arch' is not a JSON object");
  if (j.value("type", std::string()) != "cdcgan")
    return Status::invalid("gan architecture: type '" + j.value("type", std::string()) + "' is not 'cdcgan'");
  GanArch a;
  try {
    a.z_dim = j.at("z_dim").get<int>();
    a.num_classes = j.at("num_classes").get<int>();
    a.image_size = j.at("image_size").get<int>();
    a.g_channels = j.at("g_channels").get<int>();
    a.d_channels = j.value("d_channels", a.d_channels);
    a.fit = j.value("fit", std::string("resize"));  // files before "fit" existed were resized
    const std::string cond = j.value("d_conditioning", std::string("projection"));
    if (!parse_conditioning(cond, a.d_conditioning))
      return Status::invalid("gan architecture: unknown d_conditioning '" + cond + "'");
  } catch (const std::exception& e) {
    return Status::invalid(std::string("gan architecture: missing or mistyped field (") + e.what() + ")");
  }
  CVPIPE_RETURN_IF_ERROR(a.validate());
  out = a;
  return {};
}

}  // namespace cvpipe::gan
