// Whole-image CNN denoising; see denoiser.hpp.
#include "denoiser.hpp"

#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "cvpipe/nn/context.hpp"
#include "cvpipe/plugin.hpp"

namespace cvpipe::denoise {

CnnDenoiser::CnnDenoiser(std::unique_ptr<DenoiseNet> net, CnnOptions options)
    : net_(std::move(net)), options_(options) {}

nn::TilingOptions CnnDenoiser::tiling() const {
  nn::TilingOptions t;
  t.align = 2;
  t.margin = options_.margin > 0 ? options_.margin : net_->receptive_radius();
  t.tile = options_.tile;
  return t;
}

Status CnnDenoiser::denoise_matching(const cv::Mat& src, double sigma, cv::Mat& dst) {
  const double maxval = src.depth() == CV_8U ? 255.0 : 65535.0;
  const int depth = src.depth();
  return nn::process_tiled(src, dst, tiling(), [&](const cv::Mat& in, cv::Mat& out) -> Status {
    cv::Mat f;
    in.convertTo(f, CV_MAKETYPE(CV_32F, in.channels()), 1.0 / maxval);
    cv::Mat clean;
    CVPIPE_RETURN_IF_ERROR(guard([&] { clean = net_->run(f, sigma); return Status{}; }, "denoise network"));
    clean.convertTo(out, CV_MAKETYPE(depth, in.channels()), maxval);
    return {};
  });
}

Status CnnDenoiser::denoise(const cv::Mat& src, double sigma, cv::Mat& dst) {
  if (src.empty()) return Status::invalid("denoise: empty image");
  const int depth = src.depth(), ch = src.channels();
  if (depth != CV_8U && depth != CV_16U) {
    return Status::unsupported("denoise: needs an 8-bit or 16-bit image (got OpenCV depth " + std::to_string(depth) + ")");
  }
  if (ch != 1 && ch != 3 && ch != 4) return Status::unsupported("denoise: needs 1, 3 or 4 channels, got " + std::to_string(ch));
  if (!(sigma >= 0)) return Status::invalid("denoise: sigma must be >= 0");

  cv::Mat body = src, alpha;
  if (ch == 4) {
    std::vector<cv::Mat> planes;
    cv::split(src, planes);
    alpha = planes[3];
    planes.pop_back();
    cv::merge(planes, body);
  }
  const int model_ch = net_->config().channels;
  cv::Mat result;
  if (body.channels() == model_ch) {
    CVPIPE_RETURN_IF_ERROR(denoise_matching(body, sigma, result));
  } else if (model_ch == 1) {
    std::vector<cv::Mat> planes;
    cv::split(body, planes);
    for (auto& p : planes) {
      cv::Mat out;
      CVPIPE_RETURN_IF_ERROR(denoise_matching(p, sigma, out));
      p = out;
    }
    cv::merge(planes, result);
  } else {
    cv::Mat bgr, out;
    cv::cvtColor(body, bgr, cv::COLOR_GRAY2BGR);
    CVPIPE_RETURN_IF_ERROR(denoise_matching(bgr, sigma, out));
    cv::cvtColor(out, result, cv::COLOR_BGR2GRAY);
  }
  if (ch == 4) {
    std::vector<cv::Mat> planes;
    cv::split(result, planes);
    planes.push_back(alpha);
    cv::merge(planes, result);
  }
  dst = result;
  return {};
}

Status load_cnn_denoiser(const std::filesystem::path& path, const std::string& dtype, const CnnOptions& options,
                         std::unique_ptr<CnnDenoiser>& out) {
  std::unique_ptr<DenoiseNet> net;
  CVPIPE_RETURN_IF_ERROR(DenoiseNet::load(path, net));
  if (dtype == "bf16" && !nn::bf16_supported()) return Status::unsupported("dtype bf16: this CPU has no bf16 support");
  const bool bf16 = dtype == "bf16" || (dtype == "auto" && nn::bf16_supported());
  CVPIPE_RETURN_IF_ERROR(guard([&] { net->set_dtype(bf16 ? nn::DType::bf16 : nn::DType::f32); return Status{}; }, path.string()));
  out = std::make_unique<CnnDenoiser>(std::move(net), options);
  return {};
}

}  // namespace cvpipe::denoise
