// Test images and files: see images.hpp.
#include "cvpipe/testing/images.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

namespace cvpipe::test {

cv::Mat pattern_image(cv::Size size, int type, uint64_t seed) {
  const int depth = CV_MAT_DEPTH(type), cn = CV_MAT_CN(type);
  cv::Mat base(size, CV_32FC3);
  const float w = static_cast<float>(std::max(1, size.width - 1)), h = static_cast<float>(std::max(1, size.height - 1));
  for (int y = 0; y < size.height; ++y) {
    auto* row = base.ptr<cv::Vec3f>(y);
    for (int x = 0; x < size.width; ++x) {
      const float u = x / w, v = y / h;
      row[x] = cv::Vec3f(0.15f + 0.7f * u, 0.15f + 0.7f * v, 0.15f + 0.35f * (u + v));
    }
  }
  const int r = std::max(1, std::min(size.width, size.height) / 4);
  cv::circle(base, {size.width / 3, size.height / 2}, r, cv::Scalar(0.95, 0.9, 0.85), cv::FILLED);
  cv::rectangle(base, cv::Rect(size.width / 2, size.height / 5, std::max(1, size.width / 4), std::max(1, size.height / 3)),
                cv::Scalar(0.05, 0.1, 0.2), cv::FILLED);
  cv::Mat noise(size, CV_32FC3);
  cv::RNG rng(seed);
  rng.fill(noise, cv::RNG::NORMAL, 0.0, 0.02);
  base += noise;
  cv::Mat chosen;
  if (cn == 1) cv::cvtColor(base, chosen, cv::COLOR_BGR2GRAY);
  else if (cn == 4) cv::cvtColor(base, chosen, cv::COLOR_BGR2BGRA);
  else chosen = base;
  const double scale = depth == CV_16U ? 65535.0 : depth == CV_32F ? 1.0 : 255.0;
  cv::Mat out;
  chosen.convertTo(out, CV_MAKETYPE(depth, cn), scale);
  if (depth == CV_32F) out = cv::max(cv::min(out, 1.0), 0.0);
  return out;
}

cv::Mat add_noise(const cv::Mat& image, double sigma, uint64_t seed) {
  const double scale = image.depth() == CV_16U ? 257.0 : image.depth() == CV_32F ? 1.0 / 255.0 : 1.0;
  cv::Mat noise(image.size(), CV_MAKETYPE(CV_32F, image.channels()));
  cv::RNG rng(seed);
  rng.fill(noise, cv::RNG::NORMAL, 0.0, sigma * scale);
  cv::Mat f, out;
  image.convertTo(f, CV_MAKETYPE(CV_32F, image.channels()));
  f += noise;
  f.convertTo(out, image.type());
  return out;
}

Frame make_frame(cv::Mat image, std::string source, int64_t seq) {
  Frame f;
  f.image = std::move(image);
  f.source = std::move(source);
  f.seq = seq;
  return f;
}

const std::vector<cv::Size>& odd_sizes() {
  static const std::vector<cv::Size> sizes = {{1, 1}, {2, 3}, {3, 2}, {7, 5}, {37, 23}, {101, 63}};
  return sizes;
}

const std::vector<int>& common_types() {
  static const std::vector<int> types = {CV_8UC1, CV_8UC3, CV_16UC1, CV_16UC3};
  return types;
}

std::string type_name(int type) {
  const int depth = CV_MAT_DEPTH(type);
  const char* d = depth == CV_8U ? "8U" : depth == CV_16U ? "16U" : depth == CV_32F ? "32F" : "other";
  return std::string(d) + "C" + std::to_string(CV_MAT_CN(type));
}

double max_abs_diff(const cv::Mat& a, const cv::Mat& b) {
  if (a.size() != b.size() || a.type() != b.type()) return std::numeric_limits<double>::infinity();
  if (a.empty()) return 0.0;
  return cv::norm(a, b, cv::NORM_INF);
}

double sharpness(const cv::Mat& image) {
  cv::Mat g = image;
  if (g.depth() != CV_8U) g.convertTo(g, CV_8U, g.depth() == CV_16U ? 1.0 / 257.0 : 255.0);
  if (g.channels() == 3) cv::cvtColor(g, g, cv::COLOR_BGR2GRAY);
  else if (g.channels() == 4) cv::cvtColor(g, g, cv::COLOR_BGRA2GRAY);
  cv::Mat lap;
  cv::Laplacian(g, lap, CV_32F);
  return cv::mean(cv::abs(lap))[0];
}

void write_corrupt_image(const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary);
  // A JPEG start-of-image marker followed by garbage: looks like a JPEG, decodes as nothing.
  const unsigned char head[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00};
  out.write(reinterpret_cast<const char*>(head), sizeof head);
  for (int i = 0; i < 512; ++i) out.put(static_cast<char>((i * 37 + 11) & 0x7F));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void write_test_video(const std::filesystem::path& path, int frames, cv::Size size, double fps) {
  cv::VideoWriter w(path.string(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps, size, true);
  if (!w.isOpened()) throw std::runtime_error("cannot write test video " + path.string());
  for (int i = 0; i < frames; ++i) w.write(pattern_image(size, CV_8UC3, static_cast<uint64_t>(i + 1)));
  w.release();
}

int count_video_frames(const std::filesystem::path& path) {
  cv::VideoCapture cap(path.string(), cv::CAP_FFMPEG);
  if (!cap.isOpened()) return -1;
  int n = 0;
  cv::Mat m;
  while (cap.read(m) && !m.empty()) ++n;
  return n;
}

void write_truncated_copy(const std::filesystem::path& src, const std::filesystem::path& dst, double fraction) {
  std::ifstream in(src, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + src.string());
  const auto size = std::filesystem::file_size(src);
  std::vector<char> buf(static_cast<size_t>(static_cast<double>(size) * fraction));
  in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
  std::ofstream out(dst, std::ios::binary);
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  if (!out) throw std::runtime_error("cannot write " + dst.string());
}

}  // namespace cvpipe::test
