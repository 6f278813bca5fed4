// make_unet and its JSON form; see unet.hpp.
#include "cvpipe/nn/unet.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "cvpipe/nn/layers.hpp"
#include "cvpipe/nn/json_number.hpp"

namespace cvpipe::nn {

namespace {

// One 3x3 convolution with its normalisation and activation: conv [BN] ReLU, or the gated form
// ELU(conv_f [BN]) * sigmoid(conv_g).
LayerPtr conv_unit(const UNetOptions& o, std::int64_t in, std::int64_t out, std::int64_t dilation = 1) {
  if (!o.gated) {
    auto s = std::make_shared<Sequential>();
    s->emplace<Conv2d>("0", in, out, 3, 1, dilation, dilation, 1, !o.batch_norm);
    if (o.batch_norm) s->emplace<BatchNorm2d>("1", out);
    s->emplace<ReLU>(o.batch_norm ? "2" : "1");
    return s;
  }
  auto g = std::make_shared<Graph>(1);
  int f = g->emplace<Conv2d>("feature", {g->input(0)}, in, out, 3, 1, dilation, dilation, 1, !o.batch_norm);
  if (o.batch_norm) f = g->emplace<BatchNorm2d>("norm", {f}, out);
  f = g->emplace<ELU>("elu", {f});
  int gate = g->emplace<Conv2d>("gate", {g->input(0)}, in, out, 3, 1, dilation, dilation);
  gate = g->emplace<Sigmoid>("sigmoid", {gate});
  g->emplace<Multiply>("gated", {f, gate});
  return g;
}

LayerPtr block(const UNetOptions& o, std::int64_t in, std::int64_t out) {
  auto s = std::make_shared<Sequential>();
  s->add("0", conv_unit(o, in, out));
  s->add("1", conv_unit(o, out, out));
  return s;
}

LayerPtr upsampler(const UNetOptions& o, std::int64_t in, std::int64_t out) {
  if (o.transpose_up) return std::make_shared<ConvTranspose2d>(in, out, 2, 2);
  auto s = std::make_shared<Sequential>();
  s->emplace<Upsample>("0", 2.f, Upsample::Mode::bilinear);
  s->add("1", conv_unit(o, in, out));
  return s;
}

void check_options(const UNetOptions& o) {
  if (o.in_channels < 1 || o.out_channels < 1 || o.base_width < 1 || o.max_width < o.base_width)
    throw Error("make_unet: channels and widths must be positive, max_width >= base_width");
  if (o.levels < 1 || o.levels > 8) throw Error("make_unet: levels must be 1..8, got " + std::to_string(o.levels));
  if (o.output_level < 0 || o.output_level >= o.levels)
    throw Error("make_unet: output_level must be 0.." + std::to_string(o.levels - 1));
  for (int d : o.bottleneck_dilations)
    if (d < 1 || d > 64) throw Error("make_unet: bottleneck dilations must be 1..64, got " + std::to_string(d));
}

}  // namespace

int unet_multiple(const UNetOptions& o) { return 1 << o.levels; }

std::shared_ptr<Graph> make_unet(const UNetOptions& o) {
  check_options(o);
  auto width = [&](int level) { return std::min<std::int64_t>(static_cast<std::int64_t>(o.base_width) << level, o.max_width); };

  auto g = std::make_shared<Graph>(1);
  std::vector<int> enc(static_cast<std::size_t>(o.levels) + 1);
  enc[0] = g->add("enc0", block(o, o.in_channels, width(0)), {g->input(0)});
  for (int i = 1; i <= o.levels; ++i) {
    const int pooled = g->emplace<MaxPool2d>("pool" + std::to_string(i), {enc[static_cast<std::size_t>(i - 1)]}, 2);
    enc[static_cast<std::size_t>(i)] = g->add("enc" + std::to_string(i), block(o, width(i - 1), width(i)), {pooled});
  }
  int x = enc[static_cast<std::size_t>(o.levels)];
  for (std::size_t k = 0; k < o.bottleneck_dilations.size(); ++k)
    x = g->add("context" + std::to_string(k), conv_unit(o, width(o.levels), width(o.levels), o.bottleneck_dilations[k]), {x});
  for (int i = o.levels - 1; i >= o.output_level; --i) {
    const std::string n = std::to_string(i);
    const int up = g->add("up" + n, upsampler(o, width(i + 1), width(i)), {x});
    const int cat = g->emplace<Concat>("cat" + n, {up, enc[static_cast<std::size_t>(i)]});
    x = g->add("dec" + n, block(o, 2 * width(i), width(i)), {cat});
  }
  g->emplace<Conv2d>("head", {x}, width(o.output_level), o.out_channels, 1);
  return g;
}

std::string unet_to_json(const UNetOptions& o) {
  return nlohmann::json{{"in_channels", o.in_channels},     {"out_channels", o.out_channels},
                        {"base_width", o.base_width},       {"max_width", o.max_width},
                        {"levels", o.levels},               {"output_level", o.output_level},
                        {"batch_norm", o.batch_norm},       {"gated", o.gated},
                        {"transpose_up", o.transpose_up},   {"bottleneck_dilations", o.bottleneck_dilations}}
      .dump();
}

Status unet_from_json(const std::string& text, const std::string& label, UNetOptions& out) {
  UNetOptions o;
  try {
    const auto j = nlohmann::json::parse(text);
    if (!j.is_object()) return Status::invalid(label + ": the U-Net description is not a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& k = it.key();
      if (k == "in_channels") o.in_channels = json_int(*it, k);
      else if (k == "out_channels") o.out_channels = json_int(*it, k);
      else if (k == "base_width") o.base_width = json_int(*it, k);
      else if (k == "max_width") o.max_width = json_int(*it, k);
      else if (k == "levels") o.levels = json_int(*it, k);
      else if (k == "output_level") o.output_level = json_int(*it, k);
      else if (k == "batch_norm") o.batch_norm = it->get<bool>();
      else if (k == "gated") o.gated = it->get<bool>();
      else if (k == "transpose_up") o.transpose_up = it->get<bool>();
      else if (k == "bottleneck_dilations") o.bottleneck_dilations = it->get<std::vector<int>>();
      else return Status::invalid(label + ": unknown U-Net key '" + k + "'");
    }
    check_options(o);
  } catch (const nlohmann::json::exception& e) {
    return Status::invalid(label + ": bad U-Net description: " + e.what());
  } catch (const Error& e) {
    return Status::invalid(label + ": " + e.what());
  }
  out = o;
  return {};
}

}  // namespace cvpipe::nn
