// The FFDNet-style residual denoiser; see network.hpp.
#include "network.hpp"

#include <nlohmann/json.hpp>

#include "cvpipe/nn/checkpoint.hpp"
#include "cvpipe/nn/layers.hpp"
#include "cvpipe/nn/safetensors.hpp"
#include "cvpipe/plugin.hpp"

namespace cvpipe::denoise {

DenoiseNet::DenoiseNet(const NetConfig& config) : config_(config), net_(std::make_shared<nn::Sequential>()) {
  if (config_.channels != 1 && config_.channels != 3) throw nn::Error("denoise net: channels must be 1 or 3");
  if (config_.depth < 2) throw nn::Error("denoise net: depth must be at least 2");
  if (config_.features < 1) throw nn::Error("denoise net: features must be positive");
  const int f = config_.features;
  int index = 0;
  auto add = [&](nn::LayerPtr layer) { net_->add(std::to_string(index++), std::move(layer)); };
  add(std::make_shared<nn::Conv2d>(in_planes(), f, 3, 1, 1));
  add(std::make_shared<nn::ReLU>());
  for (int i = 0; i < config_.depth - 2; ++i) {
    add(std::make_shared<nn::Conv2d>(f, f, 3, 1, 1));
    add(std::make_shared<nn::ReLU>());
  }
  add(std::make_shared<nn::Conv2d>(f, out_planes(), 3, 1, 1));
  // The input is data, never a gradient target: skip the first layer's backward-data pass.
  net_->set_needs_input_grad(false);
}

DenoiseNet::~DenoiseNet() = default;

void DenoiseNet::unshuffle(const cv::Mat& image, float* dst) {
  CV_Assert(image.depth() == CV_32F && image.rows % 2 == 0 && image.cols % 2 == 0);
  const int ch = image.channels();
  const int h2 = image.rows / 2, w2 = image.cols / 2;
  const size_t plane = static_cast<size_t>(h2) * w2;
  for (int y = 0; y < image.rows; ++y) {
    const float* src = image.ptr<float>(y);
    const int i = y / 2, dy = y % 2;
    for (int x = 0; x < image.cols; ++x) {
      const int j = x / 2, dx = x % 2;
      for (int c = 0; c < ch; ++c) {
        dst[static_cast<size_t>(c * 4 + dy * 2 + dx) * plane + static_cast<size_t>(i) * w2 + j] = src[x * ch + c];
      }
    }
  }
}

void DenoiseNet::pack(const cv::Mat& image, double sigma, float* dst) {
  unshuffle(image, dst);
  const size_t plane = static_cast<size_t>(image.rows / 2) * (image.cols / 2);
  std::fill_n(dst + static_cast<size_t>(4 * image.channels()) * plane, plane, static_cast<float>(sigma / 255.0));
}

cv::Mat DenoiseNet::subtract_noise(const cv::Mat& image, const float* noise) {
  CV_Assert(image.depth() == CV_32F && image.rows % 2 == 0 && image.cols % 2 == 0);
  const int ch = image.channels();
  const int w2 = image.cols / 2;
  const size_t plane = static_cast<size_t>(image.rows / 2) * w2;
  cv::Mat out(image.size(), image.type());
  for (int y = 0; y < image.rows; ++y) {
    const float* src = image.ptr<float>(y);
    float* o = out.ptr<float>(y);
    const int i = y / 2, dy = y % 2;
    for (int x = 0; x < image.cols; ++x) {
      const int j = x / 2, dx = x % 2;
      for (int c = 0; c < ch; ++c) {
        o[x * ch + c] =
            src[x * ch + c] - noise[static_cast<size_t>(c * 4 + dy * 2 + dx) * plane + static_cast<size_t>(i) * w2 + j];
      }
    }
  }
  return out;
}

void DenoiseNet::set_dtype(nn::DType dtype) {
  dtype_ = dtype;
  net_->set_dtype(dtype);
}

namespace {

// Packs image + noise map as NHWC (channel fastest) in f32 or bf16, the layout the convolutions
// pick for activations, so the first layer needs no reorder.
template <class T, class Conv>
void pack_nhwc(const cv::Mat& image, double sigma, T* dst, Conv conv) {
  const int ch = image.channels();
  const int planes = 4 * ch + 1;
  const int w2 = image.cols / 2;
  const T noise_level = conv(static_cast<float>(sigma / 255.0));
  for (int y = 0; y < image.rows; ++y) {
    const float* src = image.ptr<float>(y);
    const int i = y / 2, dy = y % 2;
    T* row = dst + static_cast<size_t>(i) * w2 * planes;
    for (int x = 0; x < image.cols; ++x) {
      const int j = x / 2, dx = x % 2;
      T* px = row + static_cast<size_t>(j) * planes;
      for (int c = 0; c < ch; ++c) px[c * 4 + dy * 2 + dx] = conv(src[x * ch + c]);
      if (dy == 0 && dx == 0) px[planes - 1] = noise_level;
    }
  }
}

// clean = image - shuffle(noise) with the noise in NHWC (4C channels).
template <class T, class Conv>
cv::Mat subtract_nhwc(const cv::Mat& image, const T* noise, Conv conv) {
  const int ch = image.channels();
  const int planes = 4 * ch;
  const int w2 = image.cols / 2;
  cv::Mat out(image.size(), image.type());
  for (int y = 0; y < image.rows; ++y) {
    const float* src = image.ptr<float>(y);
    float* o = out.ptr<float>(y);
    const int i = y / 2, dy = y % 2;
    const T* row = noise + static_cast<size_t>(i) * w2 * planes;
    for (int x = 0; x < image.cols; ++x) {
      const T* px = row + static_cast<size_t>(x / 2) * planes;
      const int off = dy * 2 + x % 2;
      for (int c = 0; c < ch; ++c) o[x * ch + c] = src[x * ch + c] - conv(px[c * 4 + off]);
    }
  }
  return out;
}

}  // namespace

cv::Mat DenoiseNet::run(const cv::Mat& image, double sigma) {
  if (image.depth() != CV_32F || image.channels() != config_.channels) {
    throw nn::Error("denoise net: expected a float image with " + std::to_string(config_.channels) + " channel(s)");
  }
  if (image.rows % 2 || image.cols % 2 || image.empty()) throw nn::Error("denoise net: image sides must be even");
  using tag = dnnl::memory::format_tag;
  const bool bf16 = dtype_ == nn::DType::bf16;
  const auto dt = nn::to_dnnl(dtype_);
  const nn::Dims dims{1, in_planes(), image.rows / 2, image.cols / 2};
  if (net_->training()) net_->eval();
  if (dims != last_dims_ || !input_.defined() || input_.dtype() != dtype_) {
    // One cached plan at a time: plans hold activation buffers sized to their input.
    net_->reset_plans();
    input_ = nn::Tensor::empty(dnnl::memory::desc(dims, dt, tag::nhwc));
    last_dims_ = dims;
  }
  if (bf16) {
    pack_nhwc(image, sigma, static_cast<std::uint16_t*>(input_.raw()), [](float v) { return nn::f32_to_bf16(v); });
  } else {
    pack_nhwc(image, sigma, static_cast<float*>(input_.raw()), [](float v) { return v; });
  }
  const nn::Tensor y = net_->forward(input_);
  const nn::Dims ydims{1, out_planes(), dims[2], dims[3]};
  if (y.desc() == dnnl::memory::desc(ydims, dt, tag::nhwc)) {
    if (bf16) return subtract_nhwc(image, static_cast<const std::uint16_t*>(y.raw()), [](std::uint16_t v) { return nn::bf16_to_f32(v); });
    return subtract_nhwc(image, static_cast<const float*>(y.raw()), [](float v) { return v; });
  }
  const nn::Tensor noise = y.plain(nn::DType::f32);
  return subtract_noise(image, noise.data<float>());
}

std::string DenoiseNet::architecture_json() const {
  nlohmann::json j{{"type", k_arch_type},
                   {"channels", config_.channels},
                   {"features", config_.features},
                   {"depth", config_.depth},
                   {"scale", 2}};
  return j.dump();
}

std::string DenoiseNet::preprocessing_json() const {
  nlohmann::json j{{"input", "pixel values / type maximum (255 or 65535), BGR channel order"},
                   {"noise_map", "sigma / 255 (sigma in 8-bit levels)"},
                   {"output", "noise estimate, subtracted from the input"},
                   {"sigma_train_min", 0.0},
                   {"sigma_train_max", config_.sigma_max}};
  return j.dump();
}

Status DenoiseNet::save(const std::filesystem::path& path, nn::ModelInfo info) {
  info.architecture = architecture_json();
  info.preprocessing = preprocessing_json();
  return nn::save_model(path, *net_, info);
}

Status DenoiseNet::parse_architecture(const std::string& text, const std::string& label, NetConfig& out) {
  nlohmann::json j;
  CVPIPE_RETURN_IF_ERROR(guard([&] { j = nlohmann::json::parse(text); return Status{}; },
                               label + ": the 'architecture' metadata is not valid JSON", StatusCode::invalid_argument));
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string() || j["type"].get<std::string>() != k_arch_type) {
    return Status::invalid(label + ": not a denoise model (architecture type must be '" + std::string(k_arch_type) + "')");
  }
  auto get_int = [&](const char* key, int lo, int hi, int& dst) -> Status {
    if (!j.contains(key) || !j[key].is_number_integer()) return Status::invalid(label + ": architecture lacks integer '" + key + "'");
    const auto v = j[key].get<long long>();
    if (v < lo || v > hi) {
      return Status::invalid(label + ": architecture '" + key + "' = " + std::to_string(v) + " is outside [" +
                             std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    dst = static_cast<int>(v);
    return {};
  };
  NetConfig c;
  CVPIPE_RETURN_IF_ERROR(get_int("channels", 1, 3, c.channels));
  if (c.channels == 2) return Status::invalid(label + ": architecture 'channels' must be 1 or 3");
  CVPIPE_RETURN_IF_ERROR(get_int("features", 1, 1024, c.features));
  CVPIPE_RETURN_IF_ERROR(get_int("depth", 2, 200, c.depth));
  int scale = 0;
  CVPIPE_RETURN_IF_ERROR(get_int("scale", 2, 2, scale));
  out = c;
  return {};
}

Status DenoiseNet::load(const std::filesystem::path& path, std::unique_ptr<DenoiseNet>& out) {
  nn::SafeTensors st;
  nn::ModelInfo info;
  CVPIPE_RETURN_IF_ERROR(nn::read_model_file(path, st, info));
  const std::string label = path.string();
  NetConfig config;
  CVPIPE_RETURN_IF_ERROR(parse_architecture(info.architecture, label, config));
  const auto j = nlohmann::json::parse(info.preprocessing);  // a JSON object: read_model_file checked it
  if (j.contains("sigma_train_max") && j["sigma_train_max"].is_number()) config.sigma_max = j["sigma_train_max"].get<double>();
  std::unique_ptr<DenoiseNet> net;
  CVPIPE_RETURN_IF_ERROR(guard([&] { net = std::make_unique<DenoiseNet>(config); return Status{}; }, label,
                               StatusCode::invalid_argument));
  CVPIPE_RETURN_IF_ERROR(nn::import_module(st, net->module(), label));
  out = std::move(net);
  return {};
}

}  // namespace cvpipe::denoise
