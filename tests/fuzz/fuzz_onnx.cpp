// libFuzzer target: the ONNX importer (nn::import_onnx) on arbitrary bytes, read from a file as
// users give it: an error or a network, never a crash, a hang or an unbounded allocation.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "cvpipe/nn/containers.hpp"
#include "cvpipe/nn/onnx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("fuzz_onnx-" + std::to_string(::getpid()) + ".onnx");
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  cvpipe::nn::OnnxImport imported;
  const cvpipe::Status st = cvpipe::nn::import_onnx(file, {}, imported);
  if (!st.ok()) return 0;
  if (!imported.net) std::abort();
  return 0;
}
