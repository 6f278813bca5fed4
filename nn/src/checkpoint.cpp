// Network parameters/buffers <-> safetensors with name and shape checking. See checkpoint.hpp.
#include "cvpipe/nn/checkpoint.hpp"

#include <set>

#include <fmt/format.h>

namespace cvpipe::nn {
namespace {

struct Slot {
  std::string name;
  Tensor tensor;
  Parameter* param = nullptr;  // set for parameters (mark_updated after writing)
};

std::vector<Slot> slots(Layer& net) {
  std::vector<Slot> out;
  for (auto& np : net.named_parameters()) out.push_back({np.name, np.param->value, np.param});
  for (auto& nb : net.named_buffers()) out.push_back({nb.name, nb.tensor, nullptr});
  return out;
}

bool shape_matches(const StTensor& st, const Dims& dims) {
  if (st.shape.size() == dims.size()) {
    for (std::size_t i = 0; i < dims.size(); ++i)
      if (st.shape[i] != dims[i]) return false;
    return true;
  }
  // A scalar [] stands for a one-element [1] buffer (torch stores num_batches_tracked as a scalar).
  return st.shape.empty() && dims.size() == 1 && dims[0] == 1;
}

// Weights and statistics hold real numbers; only a step counter may be stored as an integer.
bool dtype_fits(const StTensor& st, const std::string& name) {
  switch (st.dtype) {
    case StDtype::F64: case StDtype::F32: case StDtype::F16: case StDtype::BF16: return true;
    default: return name.ends_with(".num_batches_tracked");
  }
}

std::string list(const std::vector<std::string>& items, std::size_t max = 12) {
  std::string s;
  for (std::size_t i = 0; i < items.size() && i < max; ++i) s += (i ? ", " : "") + items[i];
  if (items.size() > max) s += fmt::format(", ... ({} more)", items.size() - max);
  return s;
}

}  // namespace

void export_module(Layer& net, SafeTensors& out, const std::string& prefix, StDtype store) {
  for (const auto& s : slots(net)) {
    const auto values = s.tensor.to_vector();
    out.set_f32(prefix + s.name, s.tensor.dims(), values, store);
  }
}

Status import_module(const SafeTensors& in, Layer& net, const std::string& label, const ImportOptions& options) {
  const auto targets = slots(net);
  std::vector<std::string> missing, wrong, wrong_dtype;
  std::set<std::string> wanted;
  for (const auto& s : targets) {
    const std::string key = options.prefix + s.name;
    wanted.insert(key);
    const StTensor* st = in.find(key);
    if (!st) {
      missing.push_back(key);
      continue;
    }
    if (!shape_matches(*st, s.tensor.dims()))
      wrong.push_back(fmt::format("{} (file {}, network {})", key, st_shape_string(st->shape), dims_string(s.tensor.dims())));
    if (!dtype_fits(*st, key)) wrong_dtype.push_back(fmt::format("{} ({})", key, st_dtype_name(st->dtype)));
  }
  std::vector<std::string> unexpected;
  for (const auto& name : in.names())
    if (name.starts_with(options.prefix) && !wanted.count(name) && !name.ends_with(".num_batches_tracked"))
      unexpected.push_back(name);

  std::string problems;
  if (!missing.empty() && !options.allow_missing)
    problems += fmt::format("; missing {}: {}", missing.size(), list(missing));
  if (!unexpected.empty() && !options.allow_unexpected)
    problems += fmt::format("; unexpected {}: {}", unexpected.size(), list(unexpected));
  if (!wrong.empty()) problems += fmt::format("; wrong shape {}: {}", wrong.size(), list(wrong));
  if (!wrong_dtype.empty())
    problems += fmt::format("; not floating point (F32, BF16, F16 or F64) {}: {}", wrong_dtype.size(), list(wrong_dtype));
  if (!problems.empty())
    return Status::invalid(fmt::format("{}: weights do not match the network{}", label, problems));
  if (options.validate_only) return Status::success();

  for (const auto& s : targets) {
    const StTensor* st = in.find(options.prefix + s.name);
    if (!st) continue;
    Tensor t = s.tensor;
    t.from_vector(st->to_f32());
    if (s.param) s.param->mark_updated();
  }
  return Status::success();
}

}  // namespace cvpipe::nn
