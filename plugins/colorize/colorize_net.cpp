// The colourisation network; see colorize_net.hpp.
#include "colorize_net.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/nn/checkpoint.hpp"
#include "cvpipe/nn/layer.hpp"
#include "cvpipe/nn/json_number.hpp"
#include "lab.hpp"

namespace cvpipe::colorize {

ColorizeNet::ColorizeNet(nn::UNetOptions unet, ChromaBins bins, int net_side, Decoding decoding)
    : unet_(std::move(unet)), bins_(std::move(bins)), net_side_(net_side), decoding_(decoding) {
  if (bins_.size() < 2) throw nn::Error("colorize net: needs at least 2 chroma bins");
  if (net_side_ < 16) throw nn::Error("colorize net: net_side must be at least 16");
  if (!(decoding_.temperature > 0) || !(decoding_.saturation >= 0) || !(decoding_.prior_correction >= 0) ||
      !(decoding_.confidence >= 0)) {
    throw nn::Error("colorize net: bad decoding defaults");
  }
  unet_.in_channels = 1;
  unet_.out_channels = bins_.size();
  net_ = nn::make_unet(unet_);
  net_->set_needs_input_grad(false);
}

float confidence_scale(float c, float exponent) {
  return exponent > 0 ? std::pow(std::max(c, 0.f) / k_confidence_ref, exponent) : 1.f;
}

cv::Size ColorizeNet::input_size(cv::Size size) const {
  const int m = multiple();
  const double s = static_cast<double>(net_side_) / std::min(size.width, size.height);
  auto side = [&](int v) {
    const int r = static_cast<int>(std::lround(v * s / m)) * m;
    return std::clamp(r, m, 8 * net_side_ / m * m);  // very long panoramas: bounded cost
  };
  return {side(size.width), side(size.height)};
}

nn::Tensor ColorizeNet::logits(const cv::Mat& l, bool flip_average) {
  CV_Assert(l.type() == CV_32FC1 && !l.empty());
  const cv::Size in = input_size(l.size());
  cv::Mat small;
  cv::resize(l, small, in, 0, 0, l.cols > in.width ? cv::INTER_AREA : cv::INTER_LINEAR);
  std::vector<float> values(small.total());
  for (int y = 0; y < small.rows; ++y) {
    const float* p = small.ptr<float>(y);
    for (int x = 0; x < small.cols; ++x) values[static_cast<std::size_t>(y) * small.cols + x] = normalize_l(p[x]);
  }
  if (net_->training()) net_->eval();
  nn::Tensor z = net_->forward(nn::Tensor::from_vector({1, 1, in.height, in.width}, values)).plain(nn::DType::f32).clone();
  if (!flip_average) return z;
  for (int y = 0; y < in.height; ++y) std::reverse(values.begin() + y * in.width, values.begin() + (y + 1) * in.width);
  const nn::Tensor zf = net_->forward(nn::Tensor::from_vector({1, 1, in.height, in.width}, values)).plain(nn::DType::f32);
  // log(mean of the two softmax distributions), with the mirror image's output flipped back
  const auto dims = z.dims();
  const int k = static_cast<int>(dims[1]), h = static_cast<int>(dims[2]), w = static_cast<int>(dims[3]);
  const std::size_t plane = static_cast<std::size_t>(h) * w;
  float* a = z.data<float>();
  const float* b = zf.data<float>();
  std::vector<double> pa(k), pb(k);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const std::size_t ia = static_cast<std::size_t>(y) * w + x, ib = static_cast<std::size_t>(y) * w + (w - 1 - x);
      double ma = -1e30, mb = -1e30, sa = 0, sb = 0;
      for (int c = 0; c < k; ++c) {
        ma = std::max<double>(ma, a[c * plane + ia]);
        mb = std::max<double>(mb, b[c * plane + ib]);
      }
      for (int c = 0; c < k; ++c) {
        sa += (pa[c] = std::exp(a[c * plane + ia] - ma));
        sb += (pb[c] = std::exp(b[c * plane + ib] - mb));
      }
      for (int c = 0; c < k; ++c) a[c * plane + ia] = static_cast<float>(std::log(0.5 * (pa[c] / sa + pb[c] / sb) + 1e-30));
    }
  }
  return z;
}

cv::Mat ColorizeNet::decode(const nn::Tensor& logits, cv::Size size, Decoding d) const {
  const auto dims = logits.dims();
  CV_Assert(dims.size() == 4 && dims[1] == bins_.size());
  const int h = static_cast<int>(dims[2]), w = static_cast<int>(dims[3]);
  const std::size_t plane = static_cast<std::size_t>(h) * w;
  const float* z = logits.data<float>();
  cv::Mat ab(h, w, CV_32FC2);
  for (int y = 0; y < h; ++y) {
    cv::Vec2f* o = ab.ptr<cv::Vec2f>(y);
    for (int x = 0; x < w; ++x) {
      const float* zi = z + static_cast<std::size_t>(y) * w + x;
      o[x] = bins_.decode(zi, plane, d.temperature, d.saturation, d.prior_correction);
      if (d.confidence > 0) o[x] *= confidence_scale(bins_.confidence(zi, plane, d.prior_correction), d.confidence);
    }
  }
  if (d.cast_removal > 0) ab -= cv::mean(ab) * d.cast_removal;  // gray world: no global colour cast
  cv::Mat full;
  cv::resize(ab, full, size, 0, 0, cv::INTER_LINEAR);
  return full;
}

Status ColorizeNet::colorize(const cv::Mat& image, float saturation_scale, cv::Mat& out) {
  cv::Mat l;
  CVPIPE_RETURN_IF_ERROR(lightness(image, l));
  cv::Mat ab;
  try {
    Decoding d = decoding_;
    d.saturation *= saturation_scale;
    ab = decode(logits(l, d.flip_average), l.size(), d);
  } catch (const std::exception& e) {
    return Status::runtime(std::string("colorize network: ") + e.what());
  }
  cv::Mat bgr = from_lab(l, ab, image.depth());
  if (image.channels() == 4) {
    cv::Mat alpha;
    cv::extractChannel(image, alpha, 3);
    std::vector<cv::Mat> planes;
    cv::split(bgr, planes);
    planes.push_back(alpha);
    cv::merge(planes, bgr);
  }
  out = bgr;
  return {};
}

std::string ColorizeNet::architecture_json() const {
  nlohmann::json j{{"type", k_colorize_arch}, {"unet", nlohmann::json::parse(nn::unet_to_json(unet_))}};
  return j.dump();
}

std::string ColorizeNet::preprocessing_json() const {
  nlohmann::json bins = nlohmann::json::array();
  for (const auto& c : bins_.centres()) bins.push_back({c[0], c[1]});
  nlohmann::json j{{"input", "L of CIE Lab (OpenCV float Lab, 0..100) / 100 - 0.5, resized to short side net_side"},
                   {"output", "logits over the ab bins; ab = annealed mean x saturation, bilinear to full size"},
                   {"net_side", net_side_},
                   {"temperature", decoding_.temperature},
                   {"saturation", decoding_.saturation},
                   {"prior_correction", decoding_.prior_correction},
                   {"cast_removal", decoding_.cast_removal},
                   {"confidence", decoding_.confidence},
                   {"flip_average", decoding_.flip_average},
                   {"grid", bins_.grid()},
                   {"bins", bins},
                   {"weights", bins_.weights()}};
  return j.dump();
}

Status ColorizeNet::save(const std::filesystem::path& path, nn::ModelInfo info) {
  info.architecture = architecture_json();
  info.preprocessing = preprocessing_json();
  return nn::save_model(path, *net_, info);
}

Status ColorizeNet::load(const std::filesystem::path& path, std::unique_ptr<ColorizeNet>& out) {
  nn::SafeTensors st;
  nn::ModelInfo info;
  CVPIPE_RETURN_IF_ERROR(nn::read_model_file(path, st, info));
  const std::string label = path.string();
  if (info.architecture_type() != k_colorize_arch) {
    return Status::invalid(label + ": not a colorize model (architecture type '" + info.architecture_type() +
                           "', expected '" + k_colorize_arch + "')");
  }
  nn::UNetOptions unet;
  std::vector<cv::Vec2f> centres;
  std::vector<float> weights;
  float grid = 0;
  int net_side = 0;
  Decoding dec;
  try {
    const auto arch = nlohmann::json::parse(info.architecture);
    if (!arch.contains("unet") || !arch["unet"].is_object()) return Status::invalid(label + ": architecture lacks 'unet'");
    CVPIPE_RETURN_IF_ERROR(nn::unet_from_json(arch["unet"].dump(), label, unet));
    const auto pre = nlohmann::json::parse(info.preprocessing);
    for (const char* key : {"net_side", "temperature", "saturation", "prior_correction", "cast_removal", "grid", "bins", "weights"}) {
      if (!pre.contains(key)) return Status::invalid(label + ": preprocessing lacks '" + key + "'");
    }
    net_side = nn::json_int(pre.at("net_side"), "net_side");
    dec.temperature = pre.at("temperature").get<float>();
    dec.saturation = pre.at("saturation").get<float>();
    dec.prior_correction = pre.at("prior_correction").get<float>();
    dec.cast_removal = pre.at("cast_removal").get<float>();
    dec.confidence = pre.value("confidence", 0.f);  // files written before these two options existed
    dec.flip_average = pre.value("flip_average", false);
    grid = pre.at("grid").get<float>();
    for (const auto& c : pre.at("bins")) centres.push_back({c.at(0).get<float>(), c.at(1).get<float>()});
    weights = pre.at("weights").get<std::vector<float>>();
  } catch (const std::exception& e) {
    return Status::invalid(label + ": malformed colorize metadata: " + e.what());
  }
  ChromaBins bins;
  CVPIPE_RETURN_IF_ERROR(ChromaBins::from_lists(std::move(centres), std::move(weights), grid, label, bins));
  if (net_side < 16 || net_side > 4096) return Status::invalid(label + ": net_side " + std::to_string(net_side) + " is outside [16, 4096]");
  if (!(dec.temperature > 0.01f && dec.temperature <= 10.f) || !(dec.saturation >= 0.f && dec.saturation <= 10.f) ||
      !(dec.prior_correction >= 0.f && dec.prior_correction <= 1.f) || !(dec.cast_removal >= 0.f && dec.cast_removal <= 1.f) ||
      !(dec.confidence >= 0.f && dec.confidence <= 8.f)) {
    return Status::invalid(label + ": decoding temperature/saturation/prior_correction/cast_removal/confidence out of range");
  }
  std::unique_ptr<ColorizeNet> net;
  try {
    net = std::make_unique<ColorizeNet>(unet, std::move(bins), net_side, dec);
  } catch (const std::exception& e) {
    return Status::invalid(label + ": " + e.what());
  }
  CVPIPE_RETURN_IF_ERROR(nn::import_module(st, net->module(), label));
  out = std::move(net);
  return {};
}

}  // namespace cvpipe::colorize
