// Tensor: a view of one oneDNN memory with logical dims (NCHW / NC / OIHW order, whatever the
// physical layout), a data type (f32 or bf16) and shared ownership of its buffer.
//
// Guarantees: copying a Tensor is cheap and aliases the same buffer (like torch.Tensor); clone()
// makes a deep copy. The memory desc may be blocked (nChw16c, nhwc, OIhw16i16o ...): to_vector()
// and from_vector() always speak plain row-major f32 in logical dims order and reorder as needed.
// Blocked layouts may carry padding elements; the engine keeps them zero, so elementwise code may
// run over raw() (all raw_size() elements, padding included) as long as every operand shares the
// same desc. A Tensor is not synchronised: do not write it from two threads at once.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

namespace cvpipe::nn {

enum class DType { f32, bf16 };

using Dims = dnnl::memory::dims;  // std::vector<int64_t>

std::string dims_string(const Dims& dims);            // "[3, 5, 7, 9]"
std::string dtype_name(DType dtype);                   // "f32", "bf16"
dnnl::memory::data_type to_dnnl(DType dtype);
DType from_dnnl(dnnl::memory::data_type dt);           // throws nn::Error on other types
std::int64_t product(const Dims& dims);
// The plain (row-major) format tag for a rank: a, ab, abc, abcd, abcde.
dnnl::memory::format_tag plain_tag(std::size_t rank);
// A plain row-major desc of the given dims and type.
dnnl::memory::desc plain_desc(const Dims& dims, DType dtype = DType::f32);
// True when the desc is dense row-major in logical order (no blocking, no padding).
bool is_plain(const dnnl::memory::desc& desc);

class Tensor {
 public:
  Tensor() = default;  // undefined (defined() == false)
  explicit Tensor(dnnl::memory memory);
  // A view `memory` over a buffer owned by `owner` (kept alive by this tensor).
  Tensor(dnnl::memory memory, dnnl::memory owner);

  // Allocators. Contents of empty() are unspecified; zeros() is all zero (padding included).
  static Tensor empty(const Dims& dims, DType dtype = DType::f32);  // plain layout
  static Tensor empty(const dnnl::memory::desc& desc);
  static Tensor zeros(const Dims& dims, DType dtype = DType::f32);  // plain layout
  static Tensor zeros(const dnnl::memory::desc& desc);
  // Plain tensor from row-major values in logical order; values.size() must equal product(dims).
  static Tensor from_vector(const Dims& dims, std::span<const float> values, DType dtype = DType::f32);
  static Tensor from_vector(const Dims& dims, const std::vector<float>& values, DType dtype = DType::f32) {
    return from_vector(dims, std::span<const float>(values), dtype);
  }
  // A tensor wrapping caller-owned memory (no ownership; the caller keeps `data` alive).
  static Tensor wrap(const dnnl::memory::desc& desc, void* data);

  bool defined() const { return static_cast<bool>(memory_); }
  explicit operator bool() const { return defined(); }

  Dims dims() const;
  std::size_t ndims() const;
  std::int64_t dim(std::size_t i) const;
  std::int64_t numel() const;  // logical element count
  DType dtype() const;
  dnnl::memory::desc desc() const;
  bool is_plain() const;
  std::string describe() const;  // "f32 [3, 5, 7, 9] nChw16c"-like text for errors and logs

  dnnl::memory& memory() { return memory_; }
  const dnnl::memory& memory() const { return memory_; }

  // Plain row-major f32 copy of the logical elements (reorders / converts as needed).
  std::vector<float> to_vector() const;
  // Overwrites every logical element from row-major f32 values (reorders / converts as needed).
  void from_vector(std::span<const float> values);
  void from_vector(const std::vector<float>& values) { from_vector(std::span<const float>(values)); }

  // This tensor in `desc` (same logical dims; layout and data type may differ). Returns *this when
  // the desc already matches, else a new tensor.
  Tensor reorder_to(const dnnl::memory::desc& desc) const;
  // Copies this tensor into `dst` (same logical dims; any layout/type).
  void copy_to(Tensor& dst) const;
  // Plain row-major copy in `dtype` (returns *this when already so).
  Tensor plain(DType dtype = DType::f32) const;
  Tensor to(DType dtype) const;  // same layout kind, other data type (plain result if blocked)
  Tensor clone() const;          // deep copy, same desc
  // A view with other dims over the same buffer; only for plain tensors with the same numel.
  Tensor reshape(const Dims& dims) const;

  void zero();            // every byte zero (padding included)
  void fill(float value); // every logical element = value (padding stays zero)

  // Raw buffer access. data<float>() requires a plain f32 tensor (throws nn::Error otherwise).
  template <class T>
  T* data();
  template <class T>
  const T* data() const;
  void* raw() const;                  // the buffer, any layout
  std::size_t raw_bytes() const;      // desc().get_size()
  std::size_t raw_size() const;       // raw_bytes() / element size (padding included)

 private:
  dnnl::memory memory_;
  dnnl::memory owner_;  // set for views (reshape) over another tensor's buffer
};

template <>
float* Tensor::data<float>();
template <>
const float* Tensor::data<float>() const;

// Same dims, data type and layout.
bool same_desc(const Tensor& a, const Tensor& b);

}  // namespace cvpipe::nn
