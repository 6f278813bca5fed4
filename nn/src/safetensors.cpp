// safetensors reading (with full validation) and atomic writing. See safetensors.hpp.
#include "cvpipe/nn/safetensors.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

static_assert(std::endian::native == std::endian::little, "cvpipe assumes a little-endian host");

namespace cvpipe::nn {
namespace {

constexpr std::uint64_t k_max_header = 100ull << 20;  // 100 MiB of JSON is surely corrupt

struct DtypeInfo {
  StDtype dtype;
  std::string_view name;
  std::size_t size;
};
constexpr DtypeInfo k_dtypes[] = {
    {StDtype::F64, "F64", 8}, {StDtype::F32, "F32", 4}, {StDtype::F16, "F16", 2},
    {StDtype::BF16, "BF16", 2}, {StDtype::I64, "I64", 8}, {StDtype::I32, "I32", 4},
    {StDtype::I16, "I16", 2}, {StDtype::I8, "I8", 1}, {StDtype::U8, "U8", 1},
    {StDtype::BOOL, "BOOL", 1},
};

template <class T>
T load_le(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Multiplies non-negative values; false on overflow beyond int64.
bool checked_mul(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) return false;
  out = a * b;
  return out <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
}

}  // namespace

std::string_view st_dtype_name(StDtype dtype) {
  for (const auto& d : k_dtypes)
    if (d.dtype == dtype) return d.name;
  return "?";
}

std::optional<StDtype> st_dtype_from_name(std::string_view name) {
  for (const auto& d : k_dtypes)
    if (d.name == name) return d.dtype;
  return std::nullopt;
}

std::size_t st_dtype_size(StDtype dtype) {
  for (const auto& d : k_dtypes)
    if (d.dtype == dtype) return d.size;
  return 0;
}

float bf16_to_f32(std::uint16_t bits) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

std::uint16_t f32_to_bf16(float value) {
  std::uint32_t u = std::bit_cast<std::uint32_t>(value);
  if ((u & 0x7f800000u) == 0x7f800000u && (u & 0x007fffffu))  // NaN stays a quiet NaN
    return static_cast<std::uint16_t>((u >> 16) | 0x0040u);
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<std::uint16_t>(u >> 16);
}

float f16_to_f32(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  std::uint32_t exp = (h >> 10) & 0x1fu;
  std::uint32_t mant = h & 0x3ffu;
  std::uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 127 - 15 + 1;
      while (!(mant & 0x400u)) {
        mant <<= 1;
        --exp;
      }
      mant &= 0x3ffu;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  return std::bit_cast<float>(bits);
}

std::uint16_t f32_to_f16(float value) {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(value);
  const std::uint16_t sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
  const std::uint32_t abs = u & 0x7fffffffu;
  if (abs >= 0x7f800000u)  // inf or NaN
    return sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u);
  if (abs >= 0x477ff000u) return sign | 0x7c00u;  // rounds to >= 65520: overflow to inf
  if (abs < 0x38800000u) {                          // result is subnormal or zero
    if (abs < 0x33000000u) return sign;             // below half the smallest subnormal
    const std::uint32_t e = abs >> 23;
    const std::uint32_t m = (abs & 0x7fffffu) | 0x800000u;
    // value = m * 2^(e-150) and the f16 subnormal unit is 2^-24, so the result is m >> (126 - e).
    const std::uint32_t shift = 126 - e;
    std::uint32_t r = m >> shift;
    const std::uint32_t rem = m & ((1u << shift) - 1);
    const std::uint32_t half = 1u << (shift - 1);
    if (rem > half || (rem == half && (r & 1u))) ++r;
    return sign | static_cast<std::uint16_t>(r);
  }
  std::uint32_t r = abs - ((127u - 15u) << 23);
  r += 0x0fffu + ((r >> 13) & 1u);
  return sign | static_cast<std::uint16_t>(r >> 13);
}

std::int64_t StTensor::numel() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::vector<float> StTensor::to_f32() const {
  const std::size_t n = data.size() / std::max<std::size_t>(1, st_dtype_size(dtype));
  std::vector<float> out(n);
  const std::byte* p = data.data();
  switch (dtype) {
    case StDtype::F32: std::memcpy(out.data(), p, n * 4); break;
    case StDtype::F64: for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(load_le<double>(p + 8 * i)); break;
    case StDtype::F16: for (std::size_t i = 0; i < n; ++i) out[i] = f16_to_f32(load_le<std::uint16_t>(p + 2 * i)); break;
    case StDtype::BF16: for (std::size_t i = 0; i < n; ++i) out[i] = bf16_to_f32(load_le<std::uint16_t>(p + 2 * i)); break;
    case StDtype::I64: for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(load_le<std::int64_t>(p + 8 * i)); break;
    case StDtype::I32: for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(load_le<std::int32_t>(p + 4 * i)); break;
    case StDtype::I16: for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(load_le<std::int16_t>(p + 2 * i)); break;
    case StDtype::I8: for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(load_le<std::int8_t>(p + i)); break;
    case StDtype::U8:
    case StDtype::BOOL: for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(load_le<std::uint8_t>(p + i)); break;
  }
  return out;
}

std::vector<std::int64_t> StTensor::to_i64() const {
  const std::size_t n = data.size() / std::max<std::size_t>(1, st_dtype_size(dtype));
  std::vector<std::int64_t> out(n);
  const std::byte* p = data.data();
  switch (dtype) {
    case StDtype::I64: std::memcpy(out.data(), p, n * 8); break;
    case StDtype::I32: for (std::size_t i = 0; i < n; ++i) out[i] = load_le<std::int32_t>(p + 4 * i); break;
    case StDtype::I16: for (std::size_t i = 0; i < n; ++i) out[i] = load_le<std::int16_t>(p + 2 * i); break;
    case StDtype::I8: for (std::size_t i = 0; i < n; ++i) out[i] = load_le<std::int8_t>(p + i); break;
    case StDtype::U8:
    case StDtype::BOOL: for (std::size_t i = 0; i < n; ++i) out[i] = load_le<std::uint8_t>(p + i); break;
    default: {
      const auto f = to_f32();
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::int64_t>(f[i]);
    }
  }
  return out;
}

StTensor StTensor::from_f32(std::vector<std::int64_t> shape, std::span<const float> values, StDtype store) {
  StTensor t;
  t.dtype = store;
  t.shape = std::move(shape);
  if (static_cast<std::size_t>(t.numel()) != values.size())
    throw std::invalid_argument(fmt::format("StTensor::from_f32: shape {} has {} elements, got {} values",
                                            st_shape_string(t.shape), t.numel(), values.size()));
  const std::size_t n = values.size();
  t.data.resize(n * st_dtype_size(store));
  std::byte* p = t.data.data();
  auto put = [&](std::size_t i, auto v) { std::memcpy(p + i * sizeof(v), &v, sizeof(v)); };
  switch (store) {
    case StDtype::F32: std::memcpy(p, values.data(), n * 4); break;
    case StDtype::F64: for (std::size_t i = 0; i < n; ++i) put(i, static_cast<double>(values[i])); break;
    case StDtype::F16: for (std::size_t i = 0; i < n; ++i) put(i, f32_to_f16(values[i])); break;
    case StDtype::BF16: for (std::size_t i = 0; i < n; ++i) put(i, f32_to_bf16(values[i])); break;
    default:
      throw std::invalid_argument(fmt::format("StTensor::from_f32: {} is not a float dtype", st_dtype_name(store)));
  }
  return t;
}

StTensor StTensor::from_i64(std::vector<std::int64_t> shape, std::span<const std::int64_t> values) {
  StTensor t;
  t.dtype = StDtype::I64;
  t.shape = std::move(shape);
  if (static_cast<std::size_t>(t.numel()) != values.size())
    throw std::invalid_argument(fmt::format("StTensor::from_i64: shape {} has {} elements, got {} values",
                                            st_shape_string(t.shape), t.numel(), values.size()));
  t.data.resize(values.size() * 8);
  std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

std::string st_shape_string(std::span<const std::int64_t> shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

void SafeTensors::set(const std::string& name, StTensor tensor) {
  if (name == "__metadata__") throw std::invalid_argument("safetensors: '__metadata__' is reserved");
  if (auto it = index_.find(name); it != index_.end()) {
    entries_[it->second].second = std::move(tensor);
    return;
  }
  index_.emplace(name, entries_.size());
  entries_.emplace_back(name, std::move(tensor));
}

void SafeTensors::set_f32(const std::string& name, std::vector<std::int64_t> shape,
                          std::span<const float> values, StDtype store) {
  set(name, StTensor::from_f32(std::move(shape), values, store));
}

bool SafeTensors::erase(const std::string& name) {
  auto it = index_.find(name);
  if (it == index_.end()) return false;
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(it->second));
  index_.clear();
  for (std::size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].first, i);
  return true;
}

const StTensor* SafeTensors::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries_[it->second].second;
}

std::vector<std::string> SafeTensors::names() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& [name, _] : entries_) out.push_back(name);
  return out;
}

void SafeTensors::clear() {
  metadata.clear();
  entries_.clear();
  index_.clear();
}

std::vector<std::byte> SafeTensors::serialize() const {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto& [k, v] : metadata) meta[k] = v;
    header["__metadata__"] = std::move(meta);
  }
  std::uint64_t offset = 0;
  for (const auto& [name, t] : entries_) {
    const std::uint64_t expected = static_cast<std::uint64_t>(t.numel()) * st_dtype_size(t.dtype);
    if (expected != t.data.size())
      throw std::invalid_argument(fmt::format("safetensors: tensor '{}' shape {} x {} needs {} bytes, holds {}",
                                              name, st_shape_string(t.shape), st_dtype_name(t.dtype),
                                              expected, t.data.size()));
    header[name] = {{"dtype", st_dtype_name(t.dtype)},
                    {"shape", t.shape},
                    {"data_offsets", {offset, offset + t.data.size()}}};
    offset += t.data.size();
  }
  std::string text = header.dump();
  while ((8 + text.size()) % 8 != 0) text.push_back(' ');
  std::vector<std::byte> out(8 + text.size() + offset);
  const std::uint64_t n = text.size();
  std::memcpy(out.data(), &n, 8);
  std::memcpy(out.data() + 8, text.data(), text.size());
  std::byte* p = out.data() + 8 + text.size();
  for (const auto& [name, t] : entries_) {
    if (!t.data.empty()) std::memcpy(p, t.data.data(), t.data.size());
    p += t.data.size();
  }
  return out;
}

namespace {

// Where each tensor's bytes lie in the data section, in data order (validated by parse_header).
struct Layout {
  struct Entry {
    std::string name;
    StTensor tensor;  // dtype and shape; no data yet
    std::uint64_t begin = 0, end = 0;
  };
  std::vector<Entry> entries;
};

// Checks the 8-byte header length against a file of `file_size` bytes; the JSON header length.
Status check_header_length(std::uint64_t file_size, const std::byte* first8, std::string_view label,
                           std::uint64_t& header_len) {
  auto fail = [&](std::string what) {
    return Status::invalid(fmt::format("{}: invalid safetensors file: {}", label, what));
  };
  if (file_size < 8) return fail(fmt::format("file is {} bytes, shorter than the 8-byte header length", file_size));
  header_len = load_le<std::uint64_t>(first8);
  if (header_len > file_size - 8)
    return fail(fmt::format("header length {} runs past the end of the file ({} bytes)", header_len, file_size));
  if (header_len > k_max_header) return fail(fmt::format("header length {} is implausibly large", header_len));
  if (header_len < 2) return fail(fmt::format("header length {} is too small for a JSON object", header_len));
  return Status::success();
}

// Validates the JSON header against a data section of `data_size` bytes; fills metadata and layout.
Status parse_header(std::string_view text, std::uint64_t data_size, std::string_view label,
                    std::map<std::string, std::string>& metadata, Layout& layout) {
  auto fail = [&](std::string what) {
    return Status::invalid(fmt::format("{}: invalid safetensors file: {}", label, what));
  };
  if (text.front() != '{') return fail("header does not start with '{'");

  // Parse, remembering top-level keys to catch duplicates (JSON parsers silently keep the last one).
  std::set<std::string> seen;
  std::string duplicate;
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(
        text, [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
          if (depth == 1 && event == nlohmann::json::parse_event_t::key && duplicate.empty()) {
            const auto& key = parsed.get_ref<const std::string&>();
            if (!seen.insert(key).second) duplicate = key;
          }
          return true;
        });
  } catch (const nlohmann::json::exception& e) {
    return fail(fmt::format("malformed JSON header: {}", e.what()));
  }
  if (!duplicate.empty()) return fail(fmt::format("tensor '{}' appears twice in the header", duplicate));
  if (!header.is_object()) return fail("JSON header is not an object");

  struct Range {
    std::uint64_t begin, end;
    std::string name;
  };
  std::vector<Range> ranges;
  std::vector<std::pair<std::string, StTensor>> parsed;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const nlohmann::json& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) return fail("'__metadata__' is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string())
          return fail(fmt::format("'__metadata__' entry '{}' is not a string", m.key()));
        metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    auto tfail = [&](std::string what) { return fail(fmt::format("tensor '{}': {}", name, what)); };
    if (!v.is_object()) return tfail("header entry is not an object");
    for (auto f = v.begin(); f != v.end(); ++f)
      if (f.key() != "dtype" && f.key() != "shape" && f.key() != "data_offsets")
        return tfail(fmt::format("unknown field '{}'", f.key()));
    if (!v.contains("dtype") || !v["dtype"].is_string()) return tfail("missing or non-string 'dtype'");
    const auto dtype_name = v["dtype"].get<std::string>();
    const auto dtype = st_dtype_from_name(dtype_name);
    if (!dtype) return tfail(fmt::format("unknown dtype '{}'", dtype_name));
    if (!v.contains("shape") || !v["shape"].is_array()) return tfail("missing or non-array 'shape'");
    StTensor t;
    t.dtype = *dtype;
    std::uint64_t numel = 1;
    for (const auto& d : v["shape"]) {
      if (!d.is_number_integer() || d.get<std::int64_t>() < 0)
        return tfail(fmt::format("shape entry {} is not a non-negative integer", d.dump()));
      t.shape.push_back(d.get<std::int64_t>());
      if (!checked_mul(numel, static_cast<std::uint64_t>(t.shape.back()), numel))
        return tfail(fmt::format("shape {} overflows", v["shape"].dump()));
    }
    const auto& off = v.contains("data_offsets") ? v["data_offsets"] : nlohmann::json();
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      return tfail("'data_offsets' must be two non-negative integers");
    const auto begin = off[0].get<std::uint64_t>();
    const auto end = off[1].get<std::uint64_t>();
    if (begin > end) return tfail(fmt::format("data_offsets [{}, {}] are reversed", begin, end));
    if (end > data_size)
      return tfail(fmt::format("data_offsets [{}, {}] run past the {} data bytes", begin, end, data_size));
    std::uint64_t expected = 0;
    if (!checked_mul(numel, st_dtype_size(t.dtype), expected))
      return tfail(fmt::format("shape {} overflows", st_shape_string(t.shape)));
    if (expected != end - begin)
      return tfail(fmt::format("shape {} x {} ({} bytes each) needs {} bytes but data_offsets [{}, {}] hold {}",
                               st_shape_string(t.shape), st_dtype_name(t.dtype), st_dtype_size(t.dtype),
                               expected, begin, end, end - begin));
    ranges.push_back({begin, end, name});
    parsed.emplace_back(name, std::move(t));
  }

  // Offsets must tile [0, data_size) exactly: no gaps, no overlaps, nothing after the last tensor.
  std::vector<std::size_t> order(ranges.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return ranges[a].begin != ranges[b].begin ? ranges[a].begin < ranges[b].begin : ranges[a].end < ranges[b].end;
  });
  std::uint64_t cursor = 0;
  const Range* prev = nullptr;
  for (std::size_t i : order) {
    const Range& r = ranges[i];
    if (r.begin < cursor)
      return fail(fmt::format("tensor '{}' data_offsets [{}, {}] overlap tensor '{}' (ends at {})", r.name,
                              r.begin, r.end, prev->name, cursor));
    if (r.begin > cursor)
      return fail(fmt::format("{} unused data bytes before tensor '{}' (offsets do not cover the data)",
                              r.begin - cursor, r.name));
    cursor = r.end;
    prev = &r;
  }
  if (cursor != data_size)
    return fail(fmt::format("{} trailing bytes after the last tensor{} (data is {} bytes, tensors cover {})",
                            data_size - cursor, prev ? fmt::format(" '{}'", prev->name) : std::string(),
                            data_size, cursor));

  for (std::size_t i : order)  // data order: what this writer used as insertion order
    layout.entries.push_back({parsed[i].first, std::move(parsed[i].second), ranges[i].begin, ranges[i].end});
  return Status::success();
}

// Why a float tensor's values are not all finite ("" when they are, or when it holds integers).
std::string non_finite(const StTensor& t) {
  if (t.dtype != StDtype::F32 && t.dtype != StDtype::F64 && t.dtype != StDtype::F16 && t.dtype != StDtype::BF16)
    return {};
  const std::vector<float> values = t.to_f32();  // F64 beyond the f32 range counts as infinite
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      return fmt::format("value {} of {} is {}", i, values.size(), std::isnan(values[i]) ? "NaN" : "infinite");
  return {};
}

// Moves the validated tensors into `out`, refusing non-finite values.
Status fill(Layout& layout, std::string_view label, SafeTensors& out) {
  for (auto& e : layout.entries) {
    if (const std::string why = non_finite(e.tensor); !why.empty()) {
      out.clear();
      return Status::invalid(fmt::format("{}: tensor '{}' ({}): {}; the weights are corrupt (training diverged?)", label,
                                    e.name, st_dtype_name(e.tensor.dtype), why));
    }
    out.set(e.name, std::move(e.tensor));
  }
  return Status::success();
}

}  // namespace

Status SafeTensors::parse(std::span<const std::byte> bytes, std::string_view label, SafeTensors& out) {
  out.clear();
  std::uint64_t header_len = 0;
  CVPIPE_RETURN_IF_ERROR(check_header_length(bytes.size(), bytes.data(), label, header_len));
  const std::string_view text(reinterpret_cast<const char*>(bytes.data() + 8), header_len);
  const std::uint64_t data_size = bytes.size() - 8 - header_len;
  const std::byte* data = bytes.data() + 8 + header_len;
  Layout layout;
  if (Status s = parse_header(text, data_size, label, out.metadata, layout); !s.ok()) {
    out.clear();
    return s;
  }
  for (auto& e : layout.entries) e.tensor.data.assign(data + e.begin, data + e.end);
  return fill(layout, label, out);
}

Status SafeTensors::save(const std::filesystem::path& path) const {
  std::vector<std::byte> bytes;
  try {
    bytes = serialize();
  } catch (const std::exception& e) {
    return Status::invalid(fmt::format("{}: {}", path.string(), e.what()));
  }
  return write_file_atomic(path, bytes);
}

Status SafeTensors::load(const std::filesystem::path& path, SafeTensors& out) {
  out.clear();
  const std::string label = path.string();
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) return Status::not_found(fmt::format("{}: no such safetensors file", label));
  if (std::filesystem::is_directory(status))
    return Status::invalid(fmt::format("{}: is a folder, not a safetensors file", label));
  if (!std::filesystem::is_regular_file(status))
    return Status::invalid(fmt::format("{}: not a regular file (a FIFO, device or socket), not a safetensors file", label));
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return Status::io(fmt::format("{}: cannot open: {}", label, std::strerror(errno)));
  const std::streamoff size = in.tellg();
  if (size < 0) return Status::io(fmt::format("{}: cannot determine the file size", label));
  in.seekg(0);
  // The header is checked against the file size before any tensor byte is read or allocated.
  std::byte first8[8] = {};
  if (size >= 8 && !in.read(reinterpret_cast<char*>(first8), 8)) return Status::io(fmt::format("{}: read failed", label));
  std::uint64_t header_len = 0;
  CVPIPE_RETURN_IF_ERROR(check_header_length(static_cast<std::uint64_t>(size), first8, label, header_len));
  std::string text(header_len, '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(header_len)))
    return Status::io(fmt::format("{}: read failed", label));
  Layout layout;
  if (Status s = parse_header(text, static_cast<std::uint64_t>(size) - 8 - header_len, label, out.metadata, layout);
      !s.ok()) {
    out.clear();
    return s;
  }
  for (auto& e : layout.entries) {  // data order: one sequential pass
    e.tensor.data.resize(e.end - e.begin);
    if (!e.tensor.data.empty() &&
        !in.read(reinterpret_cast<char*>(e.tensor.data.data()), static_cast<std::streamsize>(e.tensor.data.size()))) {
      out.clear();
      return Status::io(fmt::format("{}: read failed in tensor '{}'", label, e.name));
    }
  }
  return fill(layout, label, out);
}

Status write_file_atomic(const std::filesystem::path& path, std::span<const std::byte> bytes, bool durable) {
  static std::atomic<unsigned> counter{0};
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  const auto tmp = std::filesystem::path(path.string() + fmt::format(".tmp{}.{}", ::getpid(), counter++));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::io(fmt::format("{}: cannot create: {}", tmp.string(), std::strerror(errno)));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      std::filesystem::remove(tmp, ec);
      return Status::io(fmt::format("{}: write failed: {}", path.string(), std::strerror(err)));
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = !durable || ::fsync(fd) == 0;
  const int sync_err = errno;
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed) {
    const int err = synced ? errno : sync_err;
    std::filesystem::remove(tmp, ec);
    return Status::io(fmt::format("{}: flush failed: {}", path.string(), std::strerror(err)));
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return Status::io(fmt::format("{}: cannot rename the temporary file into place: {}", path.string(), ec.message()));
  }
  return Status::success();
}

}  // namespace cvpipe::nn
