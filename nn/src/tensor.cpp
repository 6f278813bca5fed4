// Tensor: allocation, layout conversion and element access over dnnl::memory.
#include "cvpipe/nn/tensor.hpp"

#include <cstring>
#include <sstream>

#include "cvpipe/nn/context.hpp"

namespace cvpipe::nn {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

std::string dims_string(const Dims& dims) {
  std::ostringstream os;
  os << '[';
  for (std::size_t i = 0; i < dims.size(); ++i) os << (i ? ", " : "") << dims[i];
  os << ']';
  return os.str();
}

std::string dtype_name(DType dtype) { return dtype == DType::bf16 ? "bf16" : "f32"; }

dnnl::memory::data_type to_dnnl(DType dtype) { return dtype == DType::bf16 ? dt::bf16 : dt::f32; }

DType from_dnnl(dnnl::memory::data_type d) {
  if (d == dt::f32) return DType::f32;
  if (d == dt::bf16) return DType::bf16;
  throw Error("nn: unsupported tensor data type (only f32 and bf16)");
}

std::int64_t product(const Dims& dims) {
  std::int64_t n = 1;
  for (auto d : dims) n *= d;
  return n;
}

dnnl::memory::format_tag plain_tag(std::size_t rank) {
  switch (rank) {
    case 1: return tag::a;
    case 2: return tag::ab;
    case 3: return tag::abc;
    case 4: return tag::abcd;
    case 5: return tag::abcde;
    case 6: return tag::abcdef;
    default: throw Error("nn: tensors of rank " + std::to_string(rank) + " are not supported (1..6)");
  }
}

dnnl::memory::desc plain_desc(const Dims& dims, DType dtype) {
  for (auto d : dims)
    if (d <= 0) throw Error("nn: invalid tensor dims " + dims_string(dims));
  return dnnl::memory::desc(dims, to_dnnl(dtype), plain_tag(dims.size()));
}

bool is_plain(const dnnl::memory::desc& desc) {
  if (desc.data.ndims == 0) return false;
  auto d = desc.data_type();
  if (d != dt::f32 && d != dt::bf16) return false;
  return desc == dnnl::memory::desc(desc.dims(), d, plain_tag(desc.dims().size()));
}

Tensor::Tensor(dnnl::memory memory) : memory_(std::move(memory)) {}
Tensor::Tensor(dnnl::memory memory, dnnl::memory owner) : memory_(std::move(memory)), owner_(std::move(owner)) {}

Tensor Tensor::empty(const Dims& dims, DType dtype) { return empty(plain_desc(dims, dtype)); }

Tensor Tensor::empty(const dnnl::memory::desc& desc) {
  if (desc.data.ndims == 0) throw Error("nn: cannot allocate a tensor with an empty desc");
  return Tensor(dnnl::memory(desc, engine()));
}

Tensor Tensor::zeros(const Dims& dims, DType dtype) { return zeros(plain_desc(dims, dtype)); }

Tensor Tensor::zeros(const dnnl::memory::desc& desc) {
  Tensor t = empty(desc);
  t.zero();
  return t;
}

Tensor Tensor::from_vector(const Dims& dims, std::span<const float> values, DType dtype) {
  Tensor t = empty(dims, dtype);
  t.from_vector(values);
  return t;
}

Tensor Tensor::wrap(const dnnl::memory::desc& desc, void* data) {
  return Tensor(dnnl::memory(desc, engine(), data));
}

Dims Tensor::dims() const { return defined() ? memory_.get_desc().dims() : Dims{}; }
std::size_t Tensor::ndims() const { return defined() ? static_cast<std::size_t>(memory_.get_desc().data.ndims) : 0; }
std::int64_t Tensor::dim(std::size_t i) const {
  if (i >= ndims()) throw Error("nn: dim " + std::to_string(i) + " out of range for " + describe());
  return memory_.get_desc().data.dims[i];
}
std::int64_t Tensor::numel() const {
  if (!defined()) return 0;
  const auto& d = memory_.get_desc().data;
  std::int64_t n = 1;
  for (int i = 0; i < d.ndims; ++i) n *= d.dims[i];
  return n;
}
DType Tensor::dtype() const {
  if (!defined()) throw Error("nn: dtype() of an undefined tensor");
  return from_dnnl(memory_.get_desc().data_type());
}
dnnl::memory::desc Tensor::desc() const { return defined() ? memory_.get_desc() : dnnl::memory::desc(); }
bool Tensor::is_plain() const { return defined() && nn::is_plain(desc()); }

std::string Tensor::describe() const {
  if (!defined()) return "undefined tensor";
  auto d = desc();
  std::ostringstream os;
  os << (d.data_type() == dt::bf16 ? "bf16 " : d.data_type() == dt::f32 ? "f32 " : "other ")
     << dims_string(d.dims());
  if (nn::is_plain(d)) {
    os << " plain";
  } else {
    const auto& b = d.data.format_desc.blocking;
    os << " strides(";
    for (int i = 0; i < d.data.ndims; ++i) os << (i ? "," : "") << b.strides[i];
    os << ")";
    if (b.inner_nblks > 0) {
      os << " blocks(";
      for (int i = 0; i < b.inner_nblks; ++i) os << (i ? "," : "") << b.inner_idxs[i] << ':' << b.inner_blks[i];
      os << ")";
    }
  }
  return os.str();
}

std::vector<float> Tensor::to_vector() const {
  if (!defined()) return {};
  std::vector<float> out(static_cast<std::size_t>(numel()));
  auto want = plain_desc(dims(), DType::f32);
  if (desc() == want) {
    std::memcpy(out.data(), memory_.get_data_handle(), out.size() * sizeof(float));
  } else {
    dnnl::memory dst(want, engine(), out.data());
    dnnl::reorder(memory_, dst).execute(stream(), const_cast<dnnl::memory&>(memory_), dst);
  }
  return out;
}

void Tensor::from_vector(std::span<const float> values) {
  if (!defined()) throw Error("nn: from_vector on an undefined tensor");
  if (static_cast<std::int64_t>(values.size()) != numel())
    throw Error("nn: from_vector got " + std::to_string(values.size()) + " values for " + describe());
  auto have = plain_desc(dims(), DType::f32);
  if (desc() == have) {
    std::memcpy(memory_.get_data_handle(), values.data(), values.size() * sizeof(float));
  } else {
    dnnl::memory src(have, engine(), const_cast<float*>(values.data()));
    dnnl::reorder(src, memory_).execute(stream(), src, memory_);
  }
}

Tensor Tensor::reorder_to(const dnnl::memory::desc& d) const {
  if (!defined()) throw Error("nn: reorder of an undefined tensor");
  if (d == desc()) return *this;
  Tensor out = empty(d);
  copy_to(out);
  return out;
}

void Tensor::copy_to(Tensor& dst) const {
  if (dst.dims() != dims())
    throw Error("nn: copy from " + describe() + " to " + dst.describe() + ": dims differ");
  dnnl::reorder(memory_, dst.memory_).execute(stream(), const_cast<dnnl::memory&>(memory_), dst.memory_);
}

Tensor Tensor::plain(DType dtype) const { return reorder_to(plain_desc(dims(), dtype)); }

Tensor Tensor::to(DType dtype) const {
  if (dtype == this->dtype()) return *this;
  if (is_plain()) return plain(dtype);
  // Same blocking, other data type.
  auto d = desc();
  d.data.data_type = static_cast<dnnl_data_type_t>(to_dnnl(dtype));
  return reorder_to(d);
}

Tensor Tensor::clone() const {
  if (!defined()) return {};
  Tensor out = empty(desc());
  std::memcpy(out.raw(), raw(), raw_bytes());
  return out;
}

Tensor Tensor::reshape(const Dims& new_dims) const {
  if (!is_plain()) throw Error("nn: reshape needs a plain tensor, got " + describe());
  if (product(new_dims) != numel())
    throw Error("nn: cannot reshape " + describe() + " to " + dims_string(new_dims));
  dnnl::memory view(plain_desc(new_dims, dtype()), engine(), memory_.get_data_handle());
  return Tensor(std::move(view), owner_ ? owner_ : memory_);
}

void Tensor::zero() {
  if (defined()) std::memset(raw(), 0, raw_bytes());
}

void Tensor::fill(float value) {
  std::vector<float> v(static_cast<std::size_t>(numel()), value);
  zero();
  from_vector(v);
}

template <>
float* Tensor::data<float>() {
  if (!defined() || !is_plain() || dtype() != DType::f32)
    throw Error("nn: data<float>() needs a plain f32 tensor, got " + describe());
  return static_cast<float*>(memory_.get_data_handle());
}

template <>
const float* Tensor::data<float>() const {
  return const_cast<Tensor*>(this)->data<float>();
}

void* Tensor::raw() const { return defined() ? memory_.get_data_handle() : nullptr; }
std::size_t Tensor::raw_bytes() const { return defined() ? desc().get_size() : 0; }
std::size_t Tensor::raw_size() const {
  if (!defined()) return 0;
  return raw_bytes() / (dtype() == DType::bf16 ? 2 : 4);
}

bool same_desc(const Tensor& a, const Tensor& b) { return a.desc() == b.desc(); }

}  // namespace cvpipe::nn
