// Classical hole filling with OpenCV's cv::inpaint (Telea's fast marching or Navier-Stokes): the
// one implementation behind the imgproc `inpaint_classic` stage and the inpaint plugin's classic
// methods and evaluation baselines. Header-only; link opencv_photo.
//
// Guarantees: 8U, 16U or 32F images with 1, 3 or 4 channels and a hole mask (CV_8UC1, the image's
// size, non-zero = fill); pixels outside the hole keep their values bit for bit, what hole pixels
// held never influences the result, alpha (4th channel) passes through untouched, an all-zero
// hole returns the input; the result has the input's size and type. Colour images that OpenCV
// cannot fill whole (16U, 32F) are filled one channel at a time. Errors are Status values
// (invalid_argument: empty image or a mask of another size or type; unsupported: other depths or
// channel counts; runtime_error: OpenCV failed). Thread-safe.
#pragma once
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include "cvpipe/status.hpp"

namespace cvpipe {

enum class InpaintMethod { telea, ns };

// A copy of `image` whose hole pixels come from `filled` (the image's size and depth, with the
// image's colour channels or BGR); alpha stays.
inline cv::Mat composite_hole(const cv::Mat& image, const cv::Mat& filled, const cv::Mat& hole) {
  cv::Mat colour = filled;
  if (image.channels() == 1 && colour.channels() == 3) cv::cvtColor(colour, colour, cv::COLOR_BGR2GRAY);
  cv::Mat out = image.clone();
  if (image.channels() == 4) {
    std::vector<cv::Mat> planes, fill;
    cv::split(out, planes);
    cv::split(colour, fill);
    for (int k = 0; k < 3; ++k) fill[k].copyTo(planes[k], hole);
    cv::merge(planes, out);
    return out;
  }
  colour.copyTo(out, hole);
  return out;
}

inline Status inpaint_classic(const cv::Mat& image, const cv::Mat& hole, InpaintMethod method, double radius, cv::Mat& out) {
  if (image.empty()) return Status::invalid("inpaint: empty image");
  const int depth = image.depth(), ch = image.channels();
  if (depth != CV_8U && depth != CV_16U && depth != CV_32F)
    return Status::unsupported("inpaint: needs an 8-bit, 16-bit or float image (got OpenCV depth " + std::to_string(depth) + ")");
  if (ch != 1 && ch != 3 && ch != 4) return Status::unsupported("inpaint: needs 1, 3 or 4 channels, got " + std::to_string(ch));
  if (hole.type() != CV_8UC1 || hole.size() != image.size())
    return Status::invalid("inpaint: the mask must be 8-bit, one channel, " + std::to_string(image.cols) + "x" +
                           std::to_string(image.rows) + " like the image");
  if (cv::countNonZero(hole) == 0) {
    out = image;
    return {};
  }
  const int flag = method == InpaintMethod::ns ? cv::INPAINT_NS : cv::INPAINT_TELEA;
  cv::Mat body;
  if (ch == 4) cv::cvtColor(image, body, cv::COLOR_BGRA2BGR);
  else body = image.clone();
  body.setTo(cv::Scalar::all(0), hole);  // what the hole held never matters
  cv::Mat filled;
  try {
    if (depth == CV_8U || body.channels() == 1) {
      cv::inpaint(body, hole, filled, radius, flag);
    } else {
      std::vector<cv::Mat> planes;
      cv::split(body, planes);
      for (auto& p : planes) {
        cv::Mat f;
        cv::inpaint(p, hole, f, radius, flag);
        p = f;
      }
      cv::merge(planes, filled);
    }
  } catch (const cv::Exception& e) {
    return Status::runtime("inpaint: OpenCV: " + e.err);
  }
  out = composite_hole(image, filled, hole);
  return {};
}

}  // namespace cvpipe
