// libFuzzer target: the image header scanners of cvpipe/image_file.hpp (jpeg_truncation and
// image_header_size) on arbitrary bytes: no read outside the input, a verdict for every input.
#include <cstddef>
#include <cstdint>
#include <span>

#include "cvpipe/image_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  (void)cvpipe::jpeg_truncation(bytes);
  std::int64_t width = 0, height = 0;
  (void)cvpipe::image_header_size(bytes, width, height);
  return 0;
}
