// The paired image-to-image network; see translate_net.hpp.
#include "translate_net.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/nn/checkpoint.hpp"
#include "cvpipe/nn/layer.hpp"
#include "cvpipe/plugin.hpp"

namespace cvpipe::colorize {

TranslateNet::TranslateNet(nn::UNetOptions unet, std::string task) : unet_(std::move(unet)), task_(std::move(task)) {
  unet_.in_channels = 3;
  unet_.out_channels = 3;
  unet_.output_level = 0;
  net_ = nn::make_unet(unet_);
  net_->set_needs_input_grad(false);
}

void to_planes(const cv::Mat& bgr01, float* dst) {
  CV_Assert(bgr01.type() == CV_32FC3);
  const std::size_t plane = bgr01.total();
  for (int y = 0; y < bgr01.rows; ++y) {
    const cv::Vec3f* p = bgr01.ptr<cv::Vec3f>(y);
    for (int x = 0; x < bgr01.cols; ++x) {
      const std::size_t i = static_cast<std::size_t>(y) * bgr01.cols + x;
      for (int c = 0; c < 3; ++c) dst[c * plane + i] = p[x][c] - 0.5f;
    }
  }
}

Status TranslateNet::translate(const cv::Mat& image, cv::Mat& out) {
  if (image.empty()) return Status::invalid("translate: empty image");
  const int depth = image.depth(), ch = image.channels();
  if (depth != CV_8U && depth != CV_16U) {
    return Status::unsupported("translate: needs an 8-bit or 16-bit image (got OpenCV depth " + std::to_string(depth) + ")");
  }
  if (ch != 1 && ch != 3 && ch != 4) return Status::unsupported("translate: needs 1, 3 or 4 channels, got " + std::to_string(ch));
  const double maxval = depth == CV_8U ? 255.0 : 65535.0;
  cv::Mat f, bgr;
  image.convertTo(f, CV_MAKETYPE(CV_32F, ch), 1.0 / maxval);
  if (ch == 1) cv::cvtColor(f, bgr, cv::COLOR_GRAY2BGR);
  else if (ch == 4) cv::cvtColor(f, bgr, cv::COLOR_BGRA2BGR);
  else bgr = f;
  const int m = multiple();
  const int pad_y = (m - bgr.rows % m) % m, pad_x = (m - bgr.cols % m) % m;
  cv::Mat padded;
  cv::copyMakeBorder(bgr, padded, 0, pad_y, 0, pad_x, bgr.rows > pad_y && bgr.cols > pad_x ? cv::BORDER_REFLECT_101 : cv::BORDER_REPLICATE);
  try {
    std::vector<float> planes(padded.total() * 3);
    to_planes(padded, planes.data());
    if (net_->training()) net_->eval();
    const nn::Tensor x = nn::Tensor::from_vector({1, 3, padded.rows, padded.cols}, planes);
    const std::vector<float> r = net_->forward(x).to_vector();
    const std::size_t plane = padded.total();
    cv::Mat result(bgr.size(), CV_32FC3);
    for (int y = 0; y < bgr.rows; ++y) {
      const cv::Vec3f* p = bgr.ptr<cv::Vec3f>(y);
      cv::Vec3f* o = result.ptr<cv::Vec3f>(y);
      for (int xx = 0; xx < bgr.cols; ++xx) {
        const std::size_t i = static_cast<std::size_t>(y) * padded.cols + xx;
        for (int c = 0; c < 3; ++c) o[xx][c] = p[xx][c] + r[c * plane + i];
      }
    }
    result.convertTo(out, CV_MAKETYPE(depth, 3), maxval);  // saturating: clips to the range
  } catch (const std::exception& e) {
    return Status::runtime(std::string("translate network: ") + e.what());
  }
  return {};
}

std::string TranslateNet::architecture_json() const {
  return nlohmann::json{{"type", k_translate_arch}, {"unet", nlohmann::json::parse(nn::unet_to_json(unet_))}}.dump();
}

std::string TranslateNet::preprocessing_json() const {
  return nlohmann::json{{"input", "BGR / type maximum - 0.5, reflect-padded to the U-Net multiple"},
                        {"output", "residual added to the input, clipped to [0, 1]"},
                        {"task", task_}}
      .dump();
}

Status TranslateNet::save(const std::filesystem::path& path, nn::ModelInfo info) {
  info.architecture = architecture_json();
  info.preprocessing = preprocessing_json();
  return nn::save_model(path, *net_, info);
}

Status TranslateNet::load(const std::filesystem::path& path, std::unique_ptr<TranslateNet>& out) {
  nn::SafeTensors st;
  nn::ModelInfo info;
  CVPIPE_RETURN_IF_ERROR(nn::read_model_file(path, st, info));
  const std::string label = path.string();
  if (info.architecture_type() != k_translate_arch) {
    return Status::invalid(label + ": not a translate model (architecture type '" + info.architecture_type() +
                           "', expected '" + k_translate_arch + "')");
  }
  nn::UNetOptions unet;
  std::string task;
  try {
    const auto arch = nlohmann::json::parse(info.architecture);
    if (!arch.contains("unet") || !arch["unet"].is_object()) return Status::invalid(label + ": architecture lacks 'unet'");
    CVPIPE_RETURN_IF_ERROR(nn::unet_from_json(arch["unet"].dump(), label, unet));
    const auto pre = nlohmann::json::parse(info.preprocessing);
    task = pre.value("task", "");
  } catch (const std::exception& e) {
    return Status::invalid(label + ": malformed translate metadata: " + e.what());
  }
  std::unique_ptr<TranslateNet> net;
  CVPIPE_RETURN_IF_ERROR(guard([&] { net = std::make_unique<TranslateNet>(unet, task); return Status{}; }, label,
                               StatusCode::invalid_argument));
  CVPIPE_RETURN_IF_ERROR(nn::import_module(st, net->module(), label));
  out = std::move(net);
  return {};
}

}  // namespace cvpipe::colorize
