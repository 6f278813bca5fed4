// libFuzzer target: the safetensors reader (SafeTensors::parse) on arbitrary bytes; a file it
// accepts must serialize and parse back to the same tensors.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "cvpipe/nn/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cvpipe::nn::SafeTensors;
  SafeTensors st;
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  if (!SafeTensors::parse(bytes, "fuzz.safetensors", st).ok()) return 0;
  SafeTensors back;
  if (!SafeTensors::parse(st.serialize(), "round-trip", back).ok() || back.size() != st.size()) std::abort();
  for (const auto& name : st.names())
    if (!back.find(name) || back.find(name)->data != st.find(name)->data) std::abort();
  return 0;
}
