// cv::Mat <-> Tensor image conversions. See data_convert.hpp.
#include "cvpipe/nn/data_convert.hpp"

#include <cstring>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include "cvpipe/nn/context.hpp"

namespace cvpipe::nn {
namespace {

double auto_scale(int depth, double scale) {
  if (scale > 0) return scale;
  switch (depth) {
    case CV_8U: return 1.0 / 255.0;
    case CV_16U: return 1.0 / 65535.0;
    default: return 1.0;
  }
}

float channel_value(const std::vector<float>& v, int c, float fallback) {
  if (v.empty()) return fallback;
  return v.size() == 1 ? v[0] : v.at(static_cast<std::size_t>(c));
}

void check_norm(const ImageToTensorOptions& o, int channels) {
  for (const auto* v : {&o.mean, &o.std})
    if (v->size() > 1 && static_cast<int>(v->size()) != channels)
      throw Error(fmt::format("image normalisation: {} values for {} channels", v->size(), channels));
  for (float s : o.std)
    if (s == 0.0f) throw Error("image normalisation: std must not be 0");
}

cv::Mat convert_channels(const cv::Mat& image, int want, bool rgb) {
  const int have = image.channels();
  cv::Mat out = image;
  if (want == 1 && have == 3) cv::cvtColor(image, out, cv::COLOR_BGR2GRAY);
  else if (want == 1 && have == 4) cv::cvtColor(image, out, cv::COLOR_BGRA2GRAY);
  else if (want == 3 && have == 1) cv::cvtColor(image, out, cv::COLOR_GRAY2BGR);
  else if (want == 3 && have == 4) cv::cvtColor(image, out, cv::COLOR_BGRA2BGR);
  else if (want != 0 && want != have)
    throw Error(fmt::format("image conversion: cannot convert {} channels to {}", have, want));
  if (rgb && out.channels() == 3) {
    cv::Mat swapped;
    cv::cvtColor(out, swapped, cv::COLOR_BGR2RGB);
    out = swapped;
  }
  return out;
}

}  // namespace

cv::Mat normalize_image(const cv::Mat& image, const ImageToTensorOptions& o) {
  if (image.empty()) throw Error("image conversion: empty image");
  if (image.dims != 2) throw Error(fmt::format("image conversion: expected a 2-D image, got {} dims", image.dims));
  const int depth = image.depth();
  if (depth != CV_8U && depth != CV_16U && depth != CV_32F && depth != CV_64F)
    throw Error("image conversion: unsupported depth (use 8U, 16U, 32F or 64F)");
  const cv::Mat conv = convert_channels(image, o.channels, o.rgb);
  const int channels = conv.channels();
  check_norm(o, channels);
  cv::Mat f;
  conv.convertTo(f, CV_32F, auto_scale(depth, o.scale));
  if (!o.mean.empty() || !o.std.empty()) {
    std::vector<float> mean(static_cast<std::size_t>(channels)), inv_std(static_cast<std::size_t>(channels));
    for (int c = 0; c < channels; ++c) {
      mean[static_cast<std::size_t>(c)] = channel_value(o.mean, c, 0.0f);
      inv_std[static_cast<std::size_t>(c)] = 1.0f / channel_value(o.std, c, 1.0f);
    }
    for (int y = 0; y < f.rows; ++y) {
      float* row = f.ptr<float>(y);
      for (int x = 0; x < f.cols; ++x)
        for (int c = 0; c < channels; ++c) {
          float& v = row[x * channels + c];
          v = (v - mean[static_cast<std::size_t>(c)]) * inv_std[static_cast<std::size_t>(c)];
        }
    }
  }
  return f;
}

void hwc_to_chw(const cv::Mat& image, float* dst) {
  if (image.depth() != CV_32F) throw Error("hwc_to_chw: image must be CV_32F");
  const int C = image.channels(), H = image.rows, W = image.cols;
  const std::size_t plane = static_cast<std::size_t>(H) * static_cast<std::size_t>(W);
  if (C == 1) {
    for (int y = 0; y < H; ++y) std::memcpy(dst + static_cast<std::size_t>(y) * W, image.ptr<float>(y), sizeof(float) * W);
    return;
  }
  for (int y = 0; y < H; ++y) {
    const float* row = image.ptr<float>(y);
    for (int x = 0; x < W; ++x)
      for (int c = 0; c < C; ++c) dst[c * plane + static_cast<std::size_t>(y) * W + x] = row[x * C + c];
  }
}

Tensor image_to_tensor(const cv::Mat& image, const ImageToTensorOptions& options) {
  return images_to_tensor(std::span<const cv::Mat>(&image, 1), options);
}

Tensor images_to_tensor(std::span<const cv::Mat> images, const ImageToTensorOptions& options) {
  if (images.empty()) throw Error("images_to_tensor: no images");
  std::vector<cv::Mat> prepared;
  prepared.reserve(images.size());
  for (std::size_t i = 0; i < images.size(); ++i) {
    try {
      prepared.push_back(normalize_image(images[i], options));
    } catch (const Error& e) {
      throw Error(fmt::format("images_to_tensor: image {}: {}", i, e.what()));
    }
    const cv::Mat& p = prepared.back();
    if (p.size() != prepared[0].size() || p.channels() != prepared[0].channels())
      throw Error(fmt::format("images_to_tensor: image {} is {}x{}x{}, image 0 is {}x{}x{}", i, p.cols, p.rows, p.channels(),
                              prepared[0].cols, prepared[0].rows, prepared[0].channels()));
  }
  const cv::Mat& first = prepared[0];
  Tensor t = Tensor::empty({static_cast<std::int64_t>(images.size()), first.channels(), first.rows, first.cols});
  float* dst = t.data<float>();
  const std::size_t per = static_cast<std::size_t>(first.channels()) * first.rows * first.cols;
  for (std::size_t i = 0; i < prepared.size(); ++i) hwc_to_chw(prepared[i], dst + i * per);
  return t;
}

cv::Mat chw_to_image(const float* chw, int C, int H, int W, const ImageToTensorOptions& o, int depth) {
  if (C < 1 || C > 4 || H < 1 || W < 1) throw Error(fmt::format("chw_to_image: unsupported shape [{}, {}, {}]", C, H, W));
  check_norm(o, C);
  const double scale = auto_scale(depth, o.scale);
  cv::Mat f(H, W, CV_32FC(C));
  const std::size_t plane = static_cast<std::size_t>(H) * W;
  for (int c = 0; c < C; ++c) {
    const float s = channel_value(o.std, c, 1.0f), m = channel_value(o.mean, c, 0.0f);
    const float k = static_cast<float>(1.0 / scale);
    for (int y = 0; y < H; ++y) {
      float* row = f.ptr<float>(y);
      const float* src = chw + c * plane + static_cast<std::size_t>(y) * W;
      for (int x = 0; x < W; ++x) row[x * C + c] = (src[x] * s + m) * k;
    }
  }
  if (o.rgb && C == 3) cv::cvtColor(f, f, cv::COLOR_RGB2BGR);
  if (depth == CV_32F) return f;
  cv::Mat out;
  f.convertTo(out, depth);
  return out;
}

cv::Mat tensor_to_image(const Tensor& tensor, std::int64_t index, const ImageToTensorOptions& options, int depth) {
  if (!tensor.defined()) throw Error("tensor_to_image: undefined tensor");
  Dims d = tensor.dims();
  if (d.size() == 3) d.insert(d.begin(), 1);
  if (d.size() != 4) throw Error(fmt::format("tensor_to_image: expected [N, C, H, W], got {}", dims_string(tensor.dims())));
  if (index < 0 || index >= d[0]) throw Error(fmt::format("tensor_to_image: index {} outside batch of {}", index, d[0]));
  const std::size_t per = static_cast<std::size_t>(d[1] * d[2] * d[3]);
  if (tensor.is_plain() && tensor.dtype() == DType::f32)
    return chw_to_image(static_cast<const float*>(tensor.raw()) + index * per, static_cast<int>(d[1]), static_cast<int>(d[2]),
                        static_cast<int>(d[3]), options, depth);
  const auto values = tensor.to_vector();
  return chw_to_image(values.data() + index * per, static_cast<int>(d[1]), static_cast<int>(d[2]), static_cast<int>(d[3]),
                      options, depth);
}

}  // namespace cvpipe::nn
