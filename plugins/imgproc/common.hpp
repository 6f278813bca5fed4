// Helpers shared by the imgproc stages: input checks with clear messages, OpenCV exception
// guarding, interpolation names, depth conversions. Header-only; pure functions.
#pragma once
#include <exception>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/frame.hpp"
#include "cvpipe/plugin.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::imgproc {

inline std::string depth_name(int depth) {
  switch (depth) {
    case CV_8U: return "8-bit";
    case CV_8S: return "8-bit signed";
    case CV_16U: return "16-bit";
    case CV_16S: return "16-bit signed";
    case CV_32S: return "32-bit integer";
    case CV_32F: return "32-bit float";
    case CV_64F: return "64-bit float";
    default: return "unknown-depth";
  }
}

// ok when the frame has a non-empty 8-bit or 16-bit image with 1, 3 or 4 channels.
inline Status check_image(const Frame& f, const char* stage) {
  if (f.image.empty()) return Status::invalid(std::string(stage) + ": " + frame_text(f) + " has an empty image");
  const int d = f.image.depth();
  if (d != CV_8U && d != CV_16U && d != CV_32F)
    return Status::unsupported(std::string(stage) + ": " + frame_text(f) + " is " + depth_name(d) +
                               "; expected an 8-bit or 16-bit image");
  const int c = f.image.channels();
  if (c != 1 && c != 3 && c != 4)
    return Status::unsupported(std::string(stage) + ": " + frame_text(f) + " has " + std::to_string(c) +
                               " channels; expected 1 (gray), 3 (BGR) or 4 (BGRA)");
  return {};
}

inline const std::vector<std::string>& interpolation_names() {
  static const std::vector<std::string> names = {"auto", "nearest", "linear", "cubic", "area", "lanczos"};
  return names;
}

// "auto": area when shrinking, cubic when enlarging.
inline int interpolation_flag(const std::string& name, bool shrinking) {
  if (name == "nearest") return cv::INTER_NEAREST;
  if (name == "linear") return cv::INTER_LINEAR;
  if (name == "cubic") return cv::INTER_CUBIC;
  if (name == "area") return cv::INTER_AREA;
  if (name == "lanczos") return cv::INTER_LANCZOS4;
  return shrinking ? cv::INTER_AREA : cv::INTER_CUBIC;
}

// The value of full white for a depth (255, 65535, 1.0).
inline double white_of(int depth) { return depth == CV_16U ? 65535.0 : depth == CV_32F ? 1.0 : 255.0; }

// 8-bit copy (16-bit / 257, float x 255).
inline cv::Mat to_8u(const cv::Mat& m) {
  if (m.depth() == CV_8U) return m;
  cv::Mat out;
  m.convertTo(out, CV_8U, m.depth() == CV_16U ? 1.0 / 257.0 : 255.0);
  return out;
}

// 8-bit BGR copy of a 1, 3 or 4-channel image.
inline cv::Mat to_bgr8(const cv::Mat& m) {
  cv::Mat e = to_8u(m);
  cv::Mat out;
  if (e.channels() == 3) return e;
  cv::cvtColor(e, out, e.channels() == 1 ? cv::COLOR_GRAY2BGR : cv::COLOR_BGRA2BGR);
  return out;
}

}  // namespace cvpipe::imgproc
