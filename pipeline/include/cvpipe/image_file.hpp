// Reading one image file: cv::imread plus the check OpenCV leaves out.
//
// OpenCV's JPEG decoder turns a truncated file into a complete-looking image (the missing rows
// gray) and only prints "Premature end of JPEG file"; PNG, BMP, TIFF and WebP decoders fail
// instead. read_image() walks a JPEG's marker segments first and refuses one that ends before its
// end-of-image marker, so a cut-off download or copy is an error naming the file, not a silently
// damaged frame. Data after the end-of-image marker (e.g. an appended video) is allowed.
// Before decoding, a PNG's or JPEG's width and height are read from its header (IHDR, SOFn) and an
// image of more than `max_pixels` pixels is refused, so a small file that would decode to
// gigabytes never allocates them; other formats are checked after decoding.
// Header-only (part of the plugin SDK); thread-safe; touches only the named file.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "cvpipe/status.hpp"

namespace cvpipe {

// Default pixel budget of one decoded image or frame (runtime.max_pixels): 100 Mpix, 300 MB as BGR.
inline constexpr std::int64_t kDefaultMaxPixels = 100'000'000;

// Width and height stored in a PNG (IHDR) or JPEG (first SOFn) header; false when `bytes` are
// neither or the header is cut off before the dimensions.
inline bool image_header_size(std::span<const std::uint8_t> bytes, std::int64_t& width, std::int64_t& height) {
  const std::size_t n = bytes.size();
  auto be = [&](std::size_t at, int len) {
    std::int64_t v = 0;
    for (int k = 0; k < len; ++k) v = (v << 8) | bytes[at + static_cast<std::size_t>(k)];
    return v;
  };
  static constexpr std::uint8_t png[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (n >= 24 && std::equal(std::begin(png), std::end(png), bytes.begin()) && bytes[12] == 'I' &&
      bytes[13] == 'H' && bytes[14] == 'D' && bytes[15] == 'R') {
    width = be(16, 4);
    height = be(20, 4);
    return true;
  }
  if (n < 2 || bytes[0] != 0xFF || bytes[1] != 0xD8) return false;
  std::size_t i = 2;
  while (i + 1 < n) {
    if (bytes[i] != 0xFF) return false;  // headers are contiguous segments up to the first scan
    while (i < n && bytes[i] == 0xFF) ++i;
    if (i + 2 >= n) return false;
    const std::uint8_t marker = bytes[i++];
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;
    if (marker == 0xD9 || marker == 0xDA) return false;  // end of image or start of scan: no SOF
    const std::size_t length = static_cast<std::size_t>(be(i, 2));
    const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      if (i + 7 > n) return false;
      height = be(i + 3, 2);
      width = be(i + 5, 2);
      return true;
    }
    if (length < 2) return false;
    i += length;
  }
  return false;
}

// Why `bytes` are not a complete JPEG, or "" when they are (or are not a JPEG at all).
inline std::string jpeg_truncation(std::span<const std::uint8_t> bytes) {
  const std::size_t n = bytes.size();
  if (n < 2 || bytes[0] != 0xFF || bytes[1] != 0xD8) return {};
  const std::string truncated = "truncated JPEG (the data ends before the end-of-image marker)";
  std::size_t i = 2;
  for (;;) {
    while (i < n && bytes[i] != 0xFF) ++i;  // entropy-coded data up to the next marker
    while (i < n && bytes[i] == 0xFF) ++i;  // fill bytes
    if (i >= n) return truncated;
    const std::uint8_t marker = bytes[i++];
    if (marker == 0xD9) return {};  // end of image
    // Stuffed 0xFF00 inside entropy-coded data, restart markers, TEM and SOI carry no length.
    if (marker == 0x00 || marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) continue;
    if (i + 2 > n) return truncated;
    const std::size_t length = (static_cast<std::size_t>(bytes[i]) << 8) | bytes[i + 1];
    if (length < 2) return "corrupt JPEG (a segment length below 2 at byte " + std::to_string(i) + ")";
    i += length;
    if (i > n) return truncated;
  }
}

// Decodes `file` as cv::imread(file, flags) does (JPEGs via cv::imdecode of the bytes already
// read for the check, with the same result). Errors name the file: not_found when it does not
// exist, else io_error (not a regular file, unreadable, truncated JPEG, more than `max_pixels`
// pixels, not decodable by OpenCV); `out` is then empty.
inline Status read_image(const std::filesystem::path& file, int flags, cv::Mat& out,
                         std::int64_t max_pixels = kDefaultMaxPixels) {
  out.release();  // empty on every error
  const std::string where = "cannot read image '" + file.string() + "': ";
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return Status::not_found(where + "no such file");
  if (!std::filesystem::is_regular_file(file, ec)) return Status::io(where + "not a regular file");
  auto too_large = [&](std::int64_t width, std::int64_t height) {
    return width > 0 && height > 0 && (width > max_pixels / height || width * height > max_pixels);
  };
  auto budget = [&](std::int64_t width, std::int64_t height) {
    return Status::io(where + std::to_string(width) + "x" + std::to_string(height) +
                      " pixels exceed the budget of " + std::to_string(max_pixels) + " pixels (runtime.max_pixels)");
  };
  std::vector<std::uint8_t> jpeg;  // a JPEG is read whole once: checked, then decoded from memory
  {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Status::io(where + "the file cannot be opened");
    std::uint8_t head[64] = {};
    in.read(reinterpret_cast<char*>(head), sizeof head);
    const std::span<const std::uint8_t> start(head, static_cast<std::size_t>(in.gcount()));
    in.clear();
    if (start.size() >= 2 && head[0] == 0xFF && head[1] == 0xD8) {
      jpeg.resize(static_cast<std::size_t>(std::filesystem::file_size(file, ec)));
      if (ec || !in.seekg(0).read(reinterpret_cast<char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()))) {
        return Status::io(where + "the file cannot be read");
      }
      if (const std::string why = jpeg_truncation(jpeg); !why.empty()) return Status::io(where + why);
    }
    std::int64_t width = 0, height = 0;
    if (image_header_size(jpeg.empty() ? start : std::span<const std::uint8_t>(jpeg), width, height) &&
        too_large(width, height)) {
      return budget(width, height);
    }
  }
  try {
    // imdecode applies the EXIF orientation like imread (checked on OpenCV 4.6).
    out = jpeg.empty() ? cv::imread(file.string(), flags) : cv::imdecode(jpeg, flags);
  } catch (const cv::Exception& e) {
    return Status::io(where + e.err);
  }
  if (out.empty()) return Status::io(where + "not a readable image (corrupt, truncated or unsupported format)");
  if (too_large(out.cols, out.rows)) {
    const Status refused = budget(out.cols, out.rows);
    out.release();
    return refused;
  }
  return {};
}

}  // namespace cvpipe
