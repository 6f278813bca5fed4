// Reading one image file: cv::imread plus the check OpenCV leaves out.
//
// OpenCV's JPEG decoder turns a truncated file into a complete-looking image (the missing rows
// gray) and only prints "Premature end of JPEG file"; PNG, BMP, TIFF and WebP decoders fail
// instead. read_image() walks a JPEG's marker segments first and refuses one that ends before its
// end-of-image marker, so a cut-off download or copy is an error naming the file, not a silently
// damaged frame. Data after the end-of-image marker (e.g. an appended video) is allowed.
// Header-only (part of the plugin SDK); thread-safe; touches only the named file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "cvpipe/status.hpp"

namespace cvpipe {

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
// exist, else io_error (not a regular file, unreadable, truncated JPEG, not decodable by OpenCV).
inline Status read_image(const std::filesystem::path& file, int flags, cv::Mat& out) {
  const std::string where = "cannot read image '" + file.string() + "': ";
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return Status::not_found(where + "no such file");
  if (!std::filesystem::is_regular_file(file, ec)) return Status::io(where + "not a regular file");
  std::vector<std::uint8_t> jpeg;  // a JPEG is read whole once: checked, then decoded from memory
  {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Status::io(where + "the file cannot be opened");
    char magic[2] = {};
    if (in.read(magic, 2) && static_cast<std::uint8_t>(magic[0]) == 0xFF && static_cast<std::uint8_t>(magic[1]) == 0xD8) {
      jpeg.resize(static_cast<std::size_t>(std::filesystem::file_size(file, ec)));
      if (ec || !in.seekg(0).read(reinterpret_cast<char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()))) {
        return Status::io(where + "the file cannot be read");
      }
      if (const std::string why = jpeg_truncation(jpeg); !why.empty()) return Status::io(where + why);
    }
  }
  try {
    // imdecode applies the EXIF orientation like imread (checked on OpenCV 4.6).
    out = jpeg.empty() ? cv::imread(file.string(), flags) : cv::imdecode(jpeg, flags);
  } catch (const cv::Exception& e) {
    return Status::io(where + e.err);
  }
  if (out.empty()) return Status::io(where + "not a readable image (corrupt, truncated or unsupported format)");
  return {};
}

}  // namespace cvpipe
