// The `translate` and `night_style` stages; see translate_stage.hpp.
#include "translate_stage.hpp"

#include "night_style.hpp"

namespace cvpipe::colorize {

std::vector<ParamSpec> TranslateStage::params() {
  return {ParamSpec::model("model", "models/translate_night.safetensors", "translate model file")};
}

Status TranslateStage::configure(const Params& p, const StageContext&) {
  return TranslateNet::load(p.get_string("model"), net_);
}

Status TranslateStage::open(const StreamInfo& in, StreamInfo& out) {
  out = in;
  if (in.type >= 0) out.type = CV_MAKETYPE(CV_MAT_DEPTH(in.type), 3);
  return {};
}

Status TranslateStage::process(Frame& frame) {
  if (frame.image.empty()) return Status::invalid("translate: empty image in frame " + std::to_string(frame.seq));
  cv::Mat out;
  if (Status s = net_->translate(frame.image, out); !s.ok()) {
    return Status(s.code(), s.message() + " (frame " + std::to_string(frame.seq) + ")");
  }
  frame.image = out;
  return {};
}

Status NightStyleStage::open(const StreamInfo& in, StreamInfo& out) {
  out = in;
  if (in.type >= 0) out.type = CV_8UC3;
  return {};
}

Status NightStyleStage::process(Frame& frame) {
  const cv::Mat& img = frame.image;
  if (img.empty()) return Status::invalid("night_style: empty image in frame " + std::to_string(frame.seq));
  if (img.depth() != CV_8U || (img.channels() != 1 && img.channels() != 3 && img.channels() != 4)) {
    return Status::unsupported("night_style: frame " + std::to_string(frame.seq) + " is not 8-bit gray, BGR or BGRA");
  }
  frame.image = night_style(img);
  return {};
}

}  // namespace cvpipe::colorize
