// The inpainting network; see network.hpp.
#include "network.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include "cvpipe/nn/checkpoint.hpp"
#include "cvpipe/nn/safetensors.hpp"
#include "cvpipe/plugin.hpp"

namespace cvpipe::inpaint {

namespace {
constexpr double k_prefill_radius = 3.0;
}

nn::UNetOptions default_unet() {
  nn::UNetOptions o;
  o.in_channels = k_in_planes;
  o.out_channels = k_out_planes;
  o.base_width = 20;
  o.max_width = 80;
  o.levels = 3;
  o.batch_norm = false;
  o.gated = true;
  o.bottleneck_dilations = {2, 4};
  return o;
}

cv::Mat coarse_fill(const cv::Mat& bgr8, const cv::Mat& mask) {
  CV_Assert(bgr8.type() == CV_8UC3 && mask.type() == CV_8UC1 && mask.size() == bgr8.size());
  cv::Mat clean = bgr8.clone();
  if (cv::countNonZero(mask) == 0) return clean;
  clean.setTo(cv::Scalar::all(0), mask);
  cv::Mat out;
  cv::inpaint(clean, mask, out, k_prefill_radius, cv::INPAINT_TELEA);
  return out;
}

void pack_input(const cv::Mat& coarse, const cv::Mat& mask, float* dst) {
  CV_Assert(coarse.type() == CV_8UC3 && mask.type() == CV_8UC1 && mask.size() == coarse.size());
  const size_t plane = coarse.total();
  for (int y = 0; y < coarse.rows; ++y) {
    const uchar* c = coarse.ptr<uchar>(y);
    const uchar* m = mask.ptr<uchar>(y);
    const size_t row = static_cast<size_t>(y) * coarse.cols;
    for (int x = 0; x < coarse.cols; ++x) {
      for (int k = 0; k < 3; ++k) dst[k * plane + row + x] = c[3 * x + k] / 255.0f - 0.5f;
      dst[3 * plane + row + x] = m[x] ? 1.0f : 0.0f;
    }
  }
}

InpaintNet::InpaintNet(const nn::UNetOptions& options) : options_(options) {
  if (options_.in_channels != k_in_planes || options_.out_channels != k_out_planes) {
    throw nn::Error("inpaint net: the U-Net must take 4 planes (BGR + mask) and give 3");
  }
  net_ = nn::make_unet(options_);
  // The input is data, never a gradient target.
  net_->set_needs_input_grad(false);
}

cv::Mat InpaintNet::run(const cv::Mat& bgr8, const cv::Mat& mask) {
  const int m = multiple();
  if (bgr8.type() != CV_8UC3 || mask.type() != CV_8UC1 || mask.size() != bgr8.size()) {
    throw nn::Error("inpaint net: expected an 8-bit BGR image and an 8-bit mask of its size");
  }
  if (bgr8.empty() || bgr8.rows % m || bgr8.cols % m) {
    throw nn::Error("inpaint net: image sides must be multiples of " + std::to_string(m));
  }
  if (net_->training()) net_->eval();
  const nn::Dims dims{1, k_in_planes, bgr8.rows, bgr8.cols};
  if (dims != last_dims_) {
    net_->reset_plans();  // one cached plan at a time: plans hold buffers sized to their input
    last_dims_ = dims;
  }
  const cv::Mat coarse = coarse_fill(bgr8, mask);
  nn::Tensor input = nn::Tensor::empty(dims);
  pack_input(coarse, mask, input.data<float>());
  const nn::Tensor y = net_->forward(input).plain(nn::DType::f32);
  const float* r = y.data<float>();
  const size_t plane = bgr8.total();
  cv::Mat out(bgr8.size(), CV_32FC3);
  for (int yy = 0; yy < out.rows; ++yy) {
    const uchar* c = coarse.ptr<uchar>(yy);
    float* o = out.ptr<float>(yy);
    const size_t row = static_cast<size_t>(yy) * out.cols;
    for (int x = 0; x < out.cols; ++x) {
      for (int k = 0; k < 3; ++k) o[3 * x + k] = c[3 * x + k] / 255.0f + r[k * plane + row + x];
    }
  }
  return out;
}

std::string InpaintNet::architecture_json() const {
  nlohmann::json j{{"type", k_arch_type}, {"prefill", "telea"}, {"prefill_radius", k_prefill_radius}};
  j["unet"] = nlohmann::json::parse(nn::unet_to_json(options_));
  return j.dump();
}

Status InpaintNet::save(const std::filesystem::path& path, nn::ModelInfo info) {
  info.architecture = architecture_json();
  info.preprocessing = nlohmann::json{{"input", "Telea-filled BGR / 255 - 0.5 (3 planes) and the hole mask 0/1 (1 plane)"},
                                      {"output", "residual added to the Telea fill, BGR in [0, 1]; only hole pixels are used"}}
                           .dump();
  return nn::save_model(path, *net_, info);
}

Status InpaintNet::load(const std::filesystem::path& path, std::unique_ptr<InpaintNet>& out) {
  nn::SafeTensors st;
  nn::ModelInfo info;
  CVPIPE_RETURN_IF_ERROR(nn::read_model_file(path, st, info));
  const std::string label = path.string();
  nlohmann::json j;
  CVPIPE_RETURN_IF_ERROR(guard([&] { j = nlohmann::json::parse(info.architecture); return Status{}; },
                               label + ": the 'architecture' metadata is not valid JSON", StatusCode::invalid_argument));
  if (!j.is_object() || j.value("type", std::string()) != k_arch_type) {
    return Status::invalid(label + ": not an inpaint model (architecture type must be '" + std::string(k_arch_type) + "')");
  }
  if (j.value("prefill", std::string()) != "telea" || !j.contains("unet") || !j["unet"].is_object()) {
    return Status::invalid(label + ": inpaint architecture needs \"prefill\": \"telea\" and a \"unet\" object");
  }
  nn::UNetOptions options;
  CVPIPE_RETURN_IF_ERROR(nn::unet_from_json(j["unet"].dump(), label, options));
  std::unique_ptr<InpaintNet> net;
  CVPIPE_RETURN_IF_ERROR(guard([&] { net = std::make_unique<InpaintNet>(options); return Status{}; }, label,
                               StatusCode::invalid_argument));
  CVPIPE_RETURN_IF_ERROR(nn::import_module(st, net->module(), label));
  out = std::move(net);
  return {};
}

}  // namespace cvpipe::inpaint
