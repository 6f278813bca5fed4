// safetensors files: the on-disk format of every model and checkpoint (readable by numpy/PyTorch).
// Layout: 8-byte little-endian header length N, N bytes of JSON (padded with spaces to a multiple of
// 8), then the raw little-endian tensor bytes. The JSON maps tensor name -> {dtype, shape,
// data_offsets} plus an optional "__metadata__" string->string map.
//
// Guarantees: parse()/load() validate the whole file before returning anything (header length,
// JSON, dtypes, shapes against byte lengths, offsets in range, non-overlapping and covering the data
// exactly, no trailing bytes, no duplicate names); every failure is a Status naming the file and
// the tensor: invalid_argument for what the file holds (a corrupt or foreign file, non-finite values,
// a folder or FIFO in its place), so a bad model file is a configuration error wherever it is
// loaded; io_error only when reading fails. save() is atomic (temporary file in the same folder,
// then rename). This layer works on
// raw bytes and needs no Tensor; see checkpoint.hpp for Module-level helpers.
// Not thread-safe for concurrent mutation; const access from several threads is fine.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cvpipe/status.hpp"

namespace cvpipe::nn {

enum class StDtype : std::uint8_t { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

std::string_view st_dtype_name(StDtype dtype);          // "F32", "BF16", ...
std::optional<StDtype> st_dtype_from_name(std::string_view name);
std::size_t st_dtype_size(StDtype dtype);               // bytes per element

// Scalar conversions used by the readers/writers (round-to-nearest-even on narrowing).
float bf16_to_f32(std::uint16_t bits);
std::uint16_t f32_to_bf16(float value);
float f16_to_f32(std::uint16_t bits);
std::uint16_t f32_to_f16(float value);

// One stored tensor: dtype, shape and its raw little-endian bytes.
struct StTensor {
  StDtype dtype = StDtype::F32;
  std::vector<std::int64_t> shape;
  std::vector<std::byte> data;

  std::int64_t numel() const;
  // Every element converted to float (integers and bool by value). Any dtype.
  std::vector<float> to_f32() const;
  // Integer tensors (I64/I32/I16/I8/U8/BOOL) by value; floats are truncated toward zero.
  std::vector<std::int64_t> to_i64() const;

  static StTensor from_f32(std::vector<std::int64_t> shape, std::span<const float> values,
                           StDtype store = StDtype::F32);
  static StTensor from_i64(std::vector<std::int64_t> shape, std::span<const std::int64_t> values);
};

std::string st_shape_string(std::span<const std::int64_t> shape);  // "[6, 3, 5, 5]"

class SafeTensors {
 public:
  std::map<std::string, std::string> metadata;  // the "__metadata__" map

  // Adds or replaces a tensor (keeps first-insertion order for writing).
  void set(const std::string& name, StTensor tensor);
  void set_f32(const std::string& name, std::vector<std::int64_t> shape, std::span<const float> values,
               StDtype store = StDtype::F32);
  bool erase(const std::string& name);
  const StTensor* find(const std::string& name) const;
  bool contains(const std::string& name) const { return find(name) != nullptr; }
  std::vector<std::string> names() const;  // insertion order; after parse/load: data-offset order
  std::size_t size() const { return entries_.size(); }
  void clear();

  // The complete file contents.
  std::vector<std::byte> serialize() const;
  // Validates and decodes a complete file image; `label` names the source in errors.
  static Status parse(std::span<const std::byte> bytes, std::string_view label, SafeTensors& out);

  Status save(const std::filesystem::path& path) const;  // atomic
  static Status load(const std::filesystem::path& path, SafeTensors& out);

 private:
  std::vector<std::pair<std::string, StTensor>> entries_;
  std::unordered_map<std::string, std::size_t> index_;
};

// Writes `bytes` to `path` atomically: a temporary file next to it, then renamed over `path`, so
// readers see the old or the new file, never a partial one. `durable` also fsyncs the data before
// the rename (survives a power cut; costs ~10 ms): checkpoints and models yes, logs and plots no.
Status write_file_atomic(const std::filesystem::path& path, std::span<const std::byte> bytes, bool durable = true);

}  // namespace cvpipe::nn
