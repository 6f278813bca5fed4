// The sharpening network; see sharpen_net.hpp.
#include "sharpen_net.hpp"

#include <algorithm>

#include <opencv2/core.hpp>

#include "cvpipe/nn/checkpoint.hpp"
#include "cvpipe/nn/context.hpp"
#include "cvpipe/nn/layers.hpp"
#include "cvpipe/nn/tiling.hpp"
#include "cvpipe/plugin.hpp"

namespace sharpen {

namespace nn = cvpipe::nn;
using cvpipe::Status;

SharpenNet::SharpenNet(const NetConfig& config) : config_(config), net_(std::make_shared<nn::Sequential>()) {
  if (config_.features < 1) throw nn::Error("sharpen net: features must be at least 1");
  if (config_.depth < 2) throw nn::Error("sharpen net: depth must be at least 2");
  const int f = config_.features;
  int index = 0;
  auto add = [&](nn::LayerPtr layer) { net_->add(std::to_string(index++), std::move(layer)); };
  add(std::make_shared<nn::Conv2d>(1, f, 3));
  add(std::make_shared<nn::ReLU>());
  for (int i = 0; i < config_.depth - 2; ++i) {
    add(std::make_shared<nn::Conv2d>(f, f, 3));
    add(std::make_shared<nn::ReLU>());
  }
  add(std::make_shared<nn::Conv2d>(f, 1, 3));
  // The input is data, never a gradient target: skip the first layer's backward-data pass.
  net_->set_needs_input_grad(false);
}

std::vector<cv::Mat> SharpenNet::residuals(const std::vector<cv::Mat>& planes) {
  if (planes.empty()) return {};
  const int r = radius();
  const int rows = planes[0].rows, cols = planes[0].cols;
  const nn::Dims dims{static_cast<std::int64_t>(planes.size()), 1, rows + 2 * r, cols + 2 * r};
  if (net_->training()) net_->eval();
  if (dims != planned_) {
    net_->reset_plans();  // plans hold activation buffers sized to their input
    planned_ = dims;
  }
  nn::Tensor input = nn::Tensor::empty(dims);
  float* dst = input.data<float>();
  for (const cv::Mat& plane : planes) {
    if (plane.type() != CV_32FC1 || plane.size() != planes[0].size()) {
      throw nn::Error("sharpen net: planes must be CV_32FC1 images of one size");
    }
    cv::Mat padded(rows + 2 * r, cols + 2 * r, CV_32FC1, dst);
    cv::copyMakeBorder(plane, padded, r, r, r, r, cv::BORDER_REFLECT_101);
    dst += padded.total();
  }
  const nn::Tensor y = net_->forward(input).plain();
  std::vector<cv::Mat> out;
  const float* src = y.data<float>();
  for (std::size_t i = 0; i < planes.size(); ++i) {
    out.push_back(cv::Mat(rows, cols, CV_32FC1, const_cast<float*>(src)).clone());
    src += static_cast<std::size_t>(rows) * cols;
  }
  return out;
}

Status SharpenNet::sharpen(const cv::Mat& image, double strength, int tile, cv::Mat& out) {
  const int depth = image.depth(), channels = image.channels();
  if (depth != CV_8U && depth != CV_16U) return Status::unsupported("sharpen: needs an 8-bit or 16-bit image");
  if (channels != 1 && channels != 3 && channels != 4) {
    return Status::unsupported("sharpen: needs 1, 3 or 4 channels, got " + std::to_string(channels));
  }
  const double range = depth == CV_8U ? 255.0 : 65535.0;
  std::vector<cv::Mat> planes;
  cv::split(image, planes);
  cv::Mat alpha;
  if (channels == 4) {
    alpha = planes.back();
    planes.pop_back();
  }
  cv::Mat color, sharpened;
  cv::merge(planes, color);
  color.convertTo(color, CV_MAKETYPE(CV_32F, color.channels()), 1.0 / range);
  const nn::TilingOptions tiling{.tile = std::max(tile, 4 * radius()), .margin = radius(), .align = 1};
  CVPIPE_RETURN_IF_ERROR(nn::process_tiled(color, sharpened, tiling, [&](const cv::Mat& in, cv::Mat& result) {
    std::vector<cv::Mat> in_planes;
    cv::split(in, in_planes);
    std::vector<cv::Mat> res = residuals(in_planes);
    for (std::size_t c = 0; c < in_planes.size(); ++c) cv::scaleAdd(res[c], strength, in_planes[c], in_planes[c]);
    cv::merge(in_planes, result);
    return Status{};
  }));
  sharpened.convertTo(sharpened, CV_MAKETYPE(depth, sharpened.channels()), range);  // saturates
  if (!alpha.empty()) {
    std::vector<cv::Mat> with_alpha;
    cv::split(sharpened, with_alpha);
    with_alpha.push_back(alpha);
    cv::merge(with_alpha, sharpened);
  }
  out = sharpened;
  return {};
}

std::string SharpenNet::architecture_json() const {
  return std::string(R"({"type":")") + kArchitectureType + R"(","features":)" + std::to_string(config_.features) +
         R"(,"depth":)" + std::to_string(config_.depth) + "}";
}

Status SharpenNet::save(const std::filesystem::path& path, nn::ModelInfo info) {
  info.architecture = architecture_json();
  info.preprocessing = R"({"input":"one image plane, value / 255 for 8-bit, / 65535 for 16-bit","padding":"reflect101"})";
  return nn::save_model(path, *net_, info);
}

Status SharpenNet::load(const std::filesystem::path& path, std::unique_ptr<SharpenNet>& out) {
  const std::string label = path.string();
  nn::SafeTensors file;
  nn::ModelInfo info;
  CVPIPE_RETURN_IF_ERROR(nn::read_model_file(path, file, info));
  if (info.architecture_type() != kArchitectureType) {
    return Status::invalid(label + ": not a sharpen model (architecture type '" + info.architecture_type() +
                           "', expected '" + kArchitectureType + "')");
  }
  // The weights say how the network was built: "0.weight" is [features, 1, 3, 3], one weight per conv.
  const nn::StTensor* first = file.find("0.weight");
  if (!first || first->shape.size() != 4) return Status::invalid(label + ": no 4-D tensor '0.weight'");
  NetConfig config;
  config.features = static_cast<int>(first->shape[0]);
  config.depth = 0;
  for (const std::string& name : file.names()) config.depth += name.ends_with(".weight") ? 1 : 0;
  if (config.features > 1024 || config.depth > 256) return Status::invalid(label + ": network too large for a sharpen model");
  std::unique_ptr<SharpenNet> net;
  CVPIPE_RETURN_IF_ERROR(cvpipe::guard([&] { net = std::make_unique<SharpenNet>(config); return Status{}; }, label,
                                       cvpipe::StatusCode::invalid_argument));
  CVPIPE_RETURN_IF_ERROR(nn::import_module(file, net->module(), label));  // checks every name and shape
  out = std::move(net);
  return {};
}

}  // namespace sharpen
