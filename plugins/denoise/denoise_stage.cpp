// The `denoise` stage; see denoise_stage.hpp.
#include "denoise_stage.hpp"

#include "cvpipe/nn/context.hpp"
#include "model_path.hpp"
#include "nlmeans.hpp"
#include "noise_estimate.hpp"

namespace cvpipe::denoise {

std::vector<ParamSpec> DenoiseStage::params() {
  return {
      ParamSpec::choice("method", "cnn", {"cnn", "nlmeans"}, "cnn: the learned denoiser; nlmeans: OpenCV non-local means"),
      ParamSpec::number("sigma", 25.0, 0.0, 75.0, "noise level in 8-bit levels, or auto to estimate it per frame")
          .also_accepts({"auto"}),
      ParamSpec::path("model", "", false, "model file (empty: the shipped gray/colour model for the frame's channels)"),
      ParamSpec::integer("tile", CnnOptions{}.tile, 64, 16384, "tile side in pixels; bounds memory on large frames"),
      ParamSpec::choice("dtype", "auto", {"auto", "f32", "bf16"}, "CNN precision (auto: bf16 on CPUs with native bf16)"),
  };
}

Status DenoiseStage::configure(const Params& p, const StageContext& ctx) {
  use_cnn_ = p.get_string("method") == "cnn";
  auto_sigma_ = p.is_keyword("sigma", "auto");
  if (!auto_sigma_) sigma_ = p.get_number("sigma");
  model_ = p.get_string("model");
  dtype_ = p.get_string("dtype");
  options_.tile = static_cast<int>(p.get_int("tile"));
  threads_ = ctx.threads;
  fixed_.reset();
  gray_.reset();
  color_.reset();
  if (!use_cnn_) return {};
  if (!model_.empty()) {
    return load_cnn_denoiser(model_, 0, dtype_, options_, fixed_);
  }
  // Locate both shipped models now so a missing file is reported before frames flow.
  for (int ch : {1, 3}) {
    std::filesystem::path path;
    CVPIPE_RETURN_IF_ERROR(resolve_model_path(default_model_name(ch), path));
  }
  return {};
}

Status DenoiseStage::cnn_for(int channels, CnnDenoiser*& out) {
  if (fixed_) {
    out = fixed_.get();
    return {};
  }
  auto& slot = channels == 1 ? gray_ : color_;
  if (!slot) CVPIPE_RETURN_IF_ERROR(load_cnn_denoiser("", channels == 1 ? 1 : 3, dtype_, options_, slot));
  out = slot.get();
  return {};
}

Status DenoiseStage::process(Frame& frame) {
  const cv::Mat& img = frame.image;
  if (img.empty()) return Status::invalid("denoise: empty image in frame " + std::to_string(frame.seq));
  if (img.depth() != CV_8U && img.depth() != CV_16U) {
    return Status::unsupported("denoise: frame " + std::to_string(frame.seq) + " is not 8-bit or 16-bit");
  }
  const int ch = img.channels();
  if (ch != 1 && ch != 3 && ch != 4) {
    return Status::unsupported("denoise: frame " + std::to_string(frame.seq) + " has " + std::to_string(ch) + " channels (1, 3 or 4 supported)");
  }
  double sigma = sigma_;
  if (auto_sigma_) {
    cv::Mat body = img;
    if (ch == 4) cv::extractChannel(img, body, 0);
    sigma = estimate_noise_sigma(body) / (img.depth() == CV_16U ? 257.0 : 1.0);
  }
  frame.meta["denoise_sigma"] = sigma;
  cv::Mat out;
  if (!use_cnn_) {
    CVPIPE_RETURN_IF_ERROR(nlmeans_denoise(img, sigma, out));
  } else {
    if (std::this_thread::get_id() != configured_thread_) {
      nn::set_num_threads(threads_);
      configured_thread_ = std::this_thread::get_id();
    }
    CnnDenoiser* cnn = nullptr;
    CVPIPE_RETURN_IF_ERROR(cnn_for(ch, cnn));
    CVPIPE_RETURN_IF_ERROR(cnn->denoise(img, sigma, out));
  }
  frame.image = out;
  return {};
}

}  // namespace cvpipe::denoise
