// The `colorize` stage; see colorize_stage.hpp.
#include "colorize_stage.hpp"

namespace cvpipe::colorize {

std::vector<ParamSpec> ColorizeStage::params() {
  return {
      ParamSpec::model("model", "models/colorize.safetensors", "colorize model file"),
      ParamSpec::number("saturation", 1.0, 0.0, 10.0, "scale of the predicted chroma (1: as tuned at training, 0: gray)"),
      ParamSpec::number("temperature", 0.0, 0.0, 10.0, "annealed-mean temperature (0: the model's)"),
      ParamSpec::number("confidence", -1.0, -1.0, 8.0, "confidence-weighting exponent: sure pixels vivid, unsure ones gray (-1: the model's, 0: off)"),
      ParamSpec::integer("flip_average", -1, -1, 1, "average with the mirror image's prediction (-1: the model's, 0: off, 1: on)"),
  };
}

Status ColorizeStage::configure(const Params& p, const StageContext&) {
  saturation_ = static_cast<float>(p.get_number("saturation"));
  CVPIPE_RETURN_IF_ERROR(ColorizeNet::load(p.get_string("model"), net_));
  Decoding d = net_->decoding();
  if (const double t = p.get_number("temperature"); t > 0) d.temperature = static_cast<float>(t);
  if (const double c = p.get_number("confidence"); c >= 0) d.confidence = static_cast<float>(c);
  if (const auto f = p.get_int("flip_average"); f >= 0) d.flip_average = f == 1;
  net_->set_decoding(d);
  return {};
}

Status ColorizeStage::open(const StreamInfo& in, StreamInfo& out) {
  out = in;
  if (in.type >= 0) out.type = CV_MAKETYPE(CV_MAT_DEPTH(in.type), CV_MAT_CN(in.type) == 4 ? 4 : 3);
  return {};
}

Status ColorizeStage::process(Frame& frame) {
  if (frame.image.empty()) return Status::invalid("colorize: empty image in frame " + std::to_string(frame.seq));
  cv::Mat out;
  if (Status s = net_->colorize(frame.image, saturation_, out); !s.ok()) {
    return Status(s.code(), s.message() + " (frame " + std::to_string(frame.seq) + ")");
  }
  frame.image = out;
  return {};
}

}  // namespace cvpipe::colorize
