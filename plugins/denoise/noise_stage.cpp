// The `add_noise` stage; see noise_stage.hpp.
#include "noise_stage.hpp"

#include "cvpipe/nn/random.hpp"
#include "synthetic_noise.hpp"

namespace cvpipe::denoise {

std::vector<ParamSpec> AddNoiseStage::params() {
  return {
      ParamSpec::number("sigma", 25.0, 0.0, 100.0, "noise standard deviation in 8-bit levels"),
      ParamSpec::integer("seed", 0, 0, 9.2e18, "seed; frame seq selects the stream"),
      ParamSpec::boolean("keep_original", true, "keep the clean frame in planes[\"original\"]"),
  };
}

Status AddNoiseStage::configure(const Params& p, const StageContext&) {
  sigma_ = p.get_number("sigma");
  seed_ = static_cast<std::uint64_t>(p.get_int("seed"));
  keep_original_ = p.get_bool("keep_original");
  return {};
}

Status AddNoiseStage::process(Frame& frame) {
  if (frame.image.empty()) return Status::invalid("add_noise: empty image in frame " + std::to_string(frame.seq));
  if (frame.image.depth() != CV_8U && frame.image.depth() != CV_16U) {
    return Status::unsupported("add_noise: frame " + std::to_string(frame.seq) + " is not 8-bit or 16-bit");
  }
  nn::Rng rng(nn::derive_seed(seed_, static_cast<std::uint64_t>(frame.seq)));
  cv::Mat noisy = add_gaussian_noise(frame.image, sigma_, rng);
  if (keep_original_) frame.planes["original"] = frame.image;
  frame.image = noisy;
  return {};
}


StageContract AddNoiseStage::contract() {
  return {{{CV_8U, CV_16U}, {}, {}}, {{CV_8U, CV_16U}, {}, {}}};
}

}  // namespace cvpipe::denoise
