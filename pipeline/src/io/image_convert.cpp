// Pixel conversions for sinks: see image_convert.hpp.
#include "io/image_convert.hpp"

#include <opencv2/imgproc.hpp>

namespace cvpipe::io {

cv::Mat to_8bit(const cv::Mat& image) {
  if (image.depth() == CV_8U) return image;
  cv::Mat out;
  switch (image.depth()) {
    case CV_16U: image.convertTo(out, CV_8U, 1.0 / 257.0); break;
    case CV_32F:
    case CV_64F: image.convertTo(out, CV_8U, 255.0); break;
    default: image.convertTo(out, CV_8U); break;
  }
  return out;
}

cv::Mat to_bgr8(const cv::Mat& image) {
  cv::Mat m = to_8bit(image);
  cv::Mat out;
  switch (m.channels()) {
    case 3: return m;
    case 1: cv::cvtColor(m, out, cv::COLOR_GRAY2BGR); return out;
    case 4: cv::cvtColor(m, out, cv::COLOR_BGRA2BGR); return out;
    default: {
      cv::Mat first;
      cv::extractChannel(m, first, 0);
      cv::cvtColor(first, out, cv::COLOR_GRAY2BGR);
      return out;
    }
  }
}

cv::Mat for_encoder(const cv::Mat& image, const std::string& ext) {
  cv::Mat m = image;
  if (m.channels() == 2 || m.channels() > 4) cv::extractChannel(image, m, 0);
  const bool keeps16 = ext == ".png" || ext == ".tif" || ext == ".tiff" || ext == ".ppm" || ext == ".pgm" || ext == ".pnm";
  if (m.depth() == CV_16U && keeps16) return m;
  return to_8bit(m);
}

}  // namespace cvpipe::io
