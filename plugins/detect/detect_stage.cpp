// Stage `detect`: see detect_stage.hpp.
#include "detect_stage.hpp"

#include <filesystem>

namespace cvpipe::detect {

std::vector<ParamSpec> DetectStage::params() { return detector_params(); }

Status DetectStage::check_params(const Params& p) {
  DetectorOptions options;
  return parse_detector_options(p, options);
}

Status DetectStage::configure(const Params& p, const StageContext& ctx) {
  name_ = ctx.instance_name.empty() ? "detect" : ctx.instance_name;
  DetectorOptions o;
  Status st = parse_detector_options(p, o);
  // A cascade given as a relative path is relative to the config file, like every path in it.
  for (auto& c : o.cascades) {
    const std::filesystem::path path(c);
    const bool path_like = c.find('/') != std::string::npos || path.extension() == ".xml";
    if (path_like && path.is_relative() && !ctx.config_dir.empty()) c = (ctx.config_dir / path).lexically_normal().string();
  }
  if (st.ok()) st = detector_.configure(o);
  if (!st.ok()) return Status(st.code(), name_ + ": " + st.message());
  return {};
}

Status DetectStage::process(Frame& f) {
  std::vector<Detection> found;
  Status st = detector_.detect(f.image, found);
  if (!st.ok())
    return Status(st.code(), name_ + ": frame " + std::to_string(f.seq) + (f.source.empty() ? "" : " (" + f.source + ")") +
                                 ": " + st.message());
  f.detections = std::move(found);
  return {};
}

}  // namespace cvpipe::detect
