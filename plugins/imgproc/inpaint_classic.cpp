// Stage `inpaint_classic`: see inpaint_classic.hpp.
#include "inpaint_classic.hpp"

#include <sstream>


#include "common.hpp"
#include "cvpipe/inpaint_classic.hpp"

namespace cvpipe::imgproc {

std::vector<ParamSpec> InpaintClassic::params() {
  return {
      ParamSpec::choice("method", "telea", {"telea", "ns"}, "telea: fast marching (Telea 2004); ns: Navier-Stokes (Bertalmio 2001)"),
      ParamSpec::number("radius", 3.0, 0.5, 100.0, "neighbourhood radius in pixels considered for each filled pixel"),
      ParamSpec::string("key_color", std::string(), "fill pixels of this colour, 'B,G,R' (or 'V' for gray), when the frame has no mask plane"),
      ParamSpec::integer("tolerance", 0, 0, 255, "key_color match tolerance per channel (8-bit levels)"),
      ParamSpec::string("mask_plane", std::string("mask"), "name of the frame plane holding the mask (non-zero = fill)"),
  };
}

std::optional<std::array<int, 3>> InpaintClassic::parse_color(const std::string& text) {
  std::vector<int> values;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    const auto b = part.find_first_not_of(" \t");
    const auto e = part.find_last_not_of(" \t");
    if (b == std::string::npos) return std::nullopt;
    part = part.substr(b, e - b + 1);
    if (part.empty() || part.size() > 3 || part.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    const int v = std::stoi(part);
    if (v > 255) return std::nullopt;
    values.push_back(v);
  }
  if (values.size() == 1) return std::array<int, 3>{values[0], values[0], values[0]};
  if (values.size() == 3) return std::array<int, 3>{values[0], values[1], values[2]};
  return std::nullopt;
}

Status InpaintClassic::configure(const Params& p, const StageContext&) {
  method_ = p.get_string("method") == "ns" ? InpaintMethod::ns : InpaintMethod::telea;
  radius_ = p.get_number("radius");
  tolerance_ = static_cast<int>(p.get_int("tolerance"));
  plane_ = p.get_string("mask_plane");
  key_.reset();
  const std::string& key = p.get_string("key_color");
  if (!key.empty()) {
    key_ = parse_color(key);
    if (!key_) return Status::invalid("inpaint_classic: key_color '" + key + "' must be 'B,G,R' or one value, each 0..255");
  }
  return {};
}

Status InpaintClassic::make_mask(const Frame& f, cv::Mat& mask) const {
  const cv::Mat& img = f.image;
  if (auto it = f.planes.find(plane_); it != f.planes.end() && !it->second.empty()) {
    cv::Mat m = it->second;
    if (m.size() != img.size())
      return Status::invalid("inpaint_classic: plane '" + plane_ + "' is " + std::to_string(m.cols) + "x" + std::to_string(m.rows) +
                             " but the image of " + frame_text(f) + " is " + std::to_string(img.cols) + "x" + std::to_string(img.rows));
    if (m.channels() > 1) cv::cvtColor(m, m, m.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
    cv::compare(m, 0, mask, cv::CMP_NE);
    return {};
  }
  if (!key_)
    return Status::invalid("inpaint_classic: " + frame_text(f) + " has no '" + plane_ + "' plane and 'key_color' is not set");
  const double scale = img.depth() == CV_16U ? 257.0 : img.depth() == CV_32F ? 1.0 / 255.0 : 1.0;
  const double tol = tolerance_ * scale;
  const auto& k = *key_;
  if (img.channels() == 1) {
    if (k[0] != k[1] || k[1] != k[2])
      return Status::invalid("inpaint_classic: " + frame_text(f) + " is gray but key_color has three different values");
    cv::inRange(img, cv::Scalar(k[0] * scale - tol), cv::Scalar(k[0] * scale + tol), mask);
    return {};
  }
  cv::Mat bgr = img;
  if (img.channels() == 4) cv::cvtColor(img, bgr, cv::COLOR_BGRA2BGR);
  cv::inRange(bgr, cv::Scalar(k[0] * scale - tol, k[1] * scale - tol, k[2] * scale - tol),
              cv::Scalar(k[0] * scale + tol, k[1] * scale + tol, k[2] * scale + tol), mask);
  return {};
}

Status InpaintClassic::process(Frame& f) {
  CVPIPE_RETURN_IF_ERROR(check_image(f, "inpaint_classic"));
  return guard([&]() -> Status {
    cv::Mat mask;
    CVPIPE_RETURN_IF_ERROR(make_mask(f, mask));
    f.meta["inpainted_pixels"] = static_cast<int64_t>(cv::countNonZero(mask));
    cv::Mat out;
    CVPIPE_RETURN_IF_ERROR(inpaint_classic(f.image, mask, method_, radius_, out));
    f.image = out;
    return {};
  }, "inpaint_classic");
}

}  // namespace cvpipe::imgproc
