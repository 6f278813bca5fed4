// The `denoise` stage; see denoise_stage.hpp.
#include "denoise_stage.hpp"

#include <opencv2/imgproc.hpp>

#include "noise_estimate.hpp"

namespace cvpipe::denoise {

namespace {

// True for a 3-channel image whose channels are equal at every pixel (gray stored as colour).
template <class T>
bool equal_channels(const cv::Mat& img) {
  for (int y = 0; y < img.rows; ++y) {
    const T* p = img.ptr<T>(y);
    for (int x = 0; x < 3 * img.cols; x += 3)
      if (p[x] != p[x + 1] || p[x] != p[x + 2]) return false;
  }
  return true;
}

bool is_gray_content(const cv::Mat& img) {
  if (img.channels() != 3) return false;
  return img.depth() == CV_8U ? equal_channels<uchar>(img) : equal_channels<ushort>(img);
}

}  // namespace

std::vector<ParamSpec> DenoiseStage::params() {
  return {
      ParamSpec::choice("method", "cnn", {"cnn", "nlmeans"}, "cnn: the learned denoiser; nlmeans: OpenCV non-local means"),
      ParamSpec::number("sigma", 25.0, 0.0, 75.0, "noise level in 8-bit levels, or auto to estimate it per frame")
          .also_accepts({"auto"}),
      ParamSpec::model("model", "", "one model for every frame (empty: model_gray or model_color by the frame's channels)"),
      ParamSpec::model("model_gray", kGrayModel, "model for 1-channel frames (and gray pictures stored as BGR)"),
      ParamSpec::model("model_color", kColorModel, "model for colour frames"),
      ParamSpec::integer("tile", CnnOptions{}.tile, 64, 16384, "tile side in pixels; bounds memory on large frames"),
      ParamSpec::choice("dtype", "auto", {"auto", "f32", "bf16"}, "CNN precision (auto: bf16 on CPUs with native bf16)"),
  };
}

Status DenoiseStage::configure(const Params& p, const StageContext&) {
  use_cnn_ = p.get_string("method") == "cnn";
  auto_sigma_ = p.is_keyword("sigma", "auto");
  if (!auto_sigma_) sigma_ = p.get_number("sigma");
  const std::string model = p.get_string("model");
  gray_model_ = p.get_string("model_gray");
  color_model_ = p.get_string("model_color");
  dtype_ = p.get_string("dtype");
  options_.tile = static_cast<int>(p.get_int("tile"));
  fixed_.reset();
  gray_.reset();
  color_.reset();
  if (!use_cnn_) return {};
  if (!model.empty()) return load_cnn_denoiser(model, dtype_, options_, fixed_);
  return {};
}

Status DenoiseStage::cnn_for(int channels, CnnDenoiser*& out) {
  if (fixed_) {
    out = fixed_.get();
    return {};
  }
  auto& slot = channels == 1 ? gray_ : color_;
  if (!slot) CVPIPE_RETURN_IF_ERROR(load_cnn_denoiser(channels == 1 ? gray_model_ : color_model_, dtype_, options_, slot));
  out = slot.get();
  return {};
}

Status DenoiseStage::process(Frame& frame) {
  if (frame.image.empty()) return Status::invalid("denoise: empty image in frame " + std::to_string(frame.seq));
  if (frame.image.depth() != CV_8U && frame.image.depth() != CV_16U) {
    return Status::unsupported("denoise: frame " + std::to_string(frame.seq) + " is not 8-bit or 16-bit");
  }
  const int frame_ch = frame.image.channels();
  if (frame_ch != 1 && frame_ch != 3 && frame_ch != 4) {
    return Status::unsupported("denoise: frame " + std::to_string(frame.seq) + " has " + std::to_string(frame_ch) + " channels (1, 3 or 4 supported)");
  }
  // A gray picture stored as BGR is denoised as gray (gray model, gray NL-means) and put back as BGR.
  const bool gray_as_bgr = is_gray_content(frame.image);
  cv::Mat img = frame.image;
  if (gray_as_bgr) cv::extractChannel(frame.image, img, 0);
  const int ch = img.channels();
  double sigma = sigma_;
  if (auto_sigma_) {
    cv::Mat body = img;
    if (ch == 4) cv::extractChannel(img, body, 0);
    sigma = estimate_noise_sigma(body) / (img.depth() == CV_16U ? 257.0 : 1.0);
  }
  frame.meta["denoise_sigma"] = sigma;
  cv::Mat out;
  if (!use_cnn_) {
    CVPIPE_RETURN_IF_ERROR(cvpipe::nlmeans(img, nlmeans_options(sigma), out));
  } else {
    CnnDenoiser* cnn = nullptr;
    CVPIPE_RETURN_IF_ERROR(cnn_for(ch, cnn));
    CVPIPE_RETURN_IF_ERROR(cnn->denoise(img, sigma, out));
  }
  if (gray_as_bgr) cv::cvtColor(out, out, cv::COLOR_GRAY2BGR);
  frame.image = out;
  return {};
}


StageContract DenoiseStage::contract() {
  return {{{CV_8U, CV_16U}, {1, 3, 4}, {}}, {{CV_8U, CV_16U}, {1, 3, 4}, {"denoise_sigma"}}};
}

}  // namespace cvpipe::denoise
