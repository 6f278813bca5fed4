// ONNX import: an ONNX graph becomes an nn::Graph of the layer zoo (see cvpipe/nn/onnx.hpp).
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cvpipe/nn/layers.hpp"
#include "cvpipe/nn/containers.hpp"
#include "cvpipe/nn/onnx.hpp"
#include "cvpipe/nn/safetensors.hpp"

namespace cvpipe::nn {

namespace {

// Ops that become layers, ops folded when their inputs are constants, ops that vanish.
const std::set<std::string> k_layer_ops = {
    "Conv", "ConvTranspose", "Gemm", "MatMul", "BatchNormalization", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu",
    "MaxPool", "AveragePool", "GlobalAveragePool", "Add", "Mul", "Concat", "Resize", "Upsample", "Flatten",
    "Reshape", "Softmax", "LogSoftmax"};
const std::set<std::string> k_folded_ops = {"Constant", "Shape", "Gather", "Slice", "Cast", "Unsqueeze", "Squeeze"};
const std::set<std::string> k_identity_ops = {"Dropout", "Identity"};

// A constant: f32 values or int64 values (shape arithmetic), with dims.
struct Const {
  Dims dims;
  std::vector<float> f;
  std::vector<std::int64_t> i;
  bool is_int = false;
  std::size_t size() const { return is_int ? i.size() : f.size(); }
  double at(std::size_t k) const { return is_int ? static_cast<double>(i[k]) : f[k]; }
};

// Constants are held in memory whole: their element count is bounded before anything is allocated
// (the data must then match it exactly, so a file cannot claim more than it holds).
constexpr std::int64_t k_max_const_elements = std::int64_t{1} << 28;  // 1 GiB of float32

// The element count of a tensor's dims; -1 when a dim is negative or the count exceeds the bound.
std::int64_t bounded_elements(const onnx::TensorProto& t) {
  std::int64_t elements = 1;
  for (auto d : t.dims()) {
    if (d < 0 || (d > 0 && elements > k_max_const_elements / d)) return -1;
    elements *= d;
  }
  return elements;
}

Const read_tensor(const onnx::TensorProto& t, const std::string& where) {
  Const c;
  const std::int64_t elements = bounded_elements(t);
  if (elements < 0) throw Error(where + ": tensor '" + t.name() + "' has dims out of range");
  c.dims.assign(t.dims().begin(), t.dims().end());
  const std::size_t count = static_cast<std::size_t>(elements);
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (t.has_raw_data()) {
        if (t.raw_data().size() != count * sizeof(float)) throw Error(where + ": tensor '" + t.name() + "' has the wrong data size");
        c.f.resize(count);
        std::memcpy(c.f.data(), t.raw_data().data(), count * sizeof(float));
      } else {
        c.f.assign(t.float_data().begin(), t.float_data().end());
      }
      if (c.f.size() != count) throw Error(where + ": tensor '" + t.name() + "' has the wrong data size");
      break;
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::INT32:
      c.is_int = true;
      if (t.has_raw_data()) {
        const std::size_t w = t.data_type() == onnx::TensorProto::INT64 ? 8 : 4;
        if (t.raw_data().size() != count * w) throw Error(where + ": tensor '" + t.name() + "' has the wrong data size");
        c.i.resize(count);
        for (std::size_t k = 0; k < count; ++k) {
          if (w == 8) {
            std::memcpy(&c.i[k], t.raw_data().data() + 8 * k, 8);
          } else {
            std::int32_t v;
            std::memcpy(&v, t.raw_data().data() + 4 * k, 4);
            c.i[k] = v;
          }
        }
      } else if (t.data_type() == onnx::TensorProto::INT64) {
        c.i.assign(t.int64_data().begin(), t.int64_data().end());
      } else {
        c.i.assign(t.int32_data().begin(), t.int32_data().end());
      }
      if (c.i.size() != count) throw Error(where + ": tensor '" + t.name() + "' has the wrong data size");
      break;
    default:
      throw Error(where + ": tensor '" + t.name() + "' has data type " + std::to_string(t.data_type()) +
                  " (only float32 and int32/int64 are read)");
  }
  return c;
}

const onnx::AttributeProto* attr(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}
std::int64_t attr_i(const onnx::NodeProto& n, const char* name, std::int64_t def) {
  const auto* a = attr(n, name);
  return a ? a->i() : def;
}
float attr_f(const onnx::NodeProto& n, const char* name, float def) {
  const auto* a = attr(n, name);
  return a ? a->f() : def;
}
std::string attr_s(const onnx::NodeProto& n, const char* name, const std::string& def) {
  const auto* a = attr(n, name);
  return a ? a->s() : def;
}
std::vector<std::int64_t> attr_ints(const onnx::NodeProto& n, const char* name) {
  const auto* a = attr(n, name);
  if (!a) return {};
  return {a->ints().begin(), a->ints().end()};
}

// Node names become Graph node names: letters, digits and '_' only, unique, never empty.
std::string clean_name(const std::string& raw, const std::string& fallback, std::set<std::string>& used) {
  std::string s;
  for (char c : raw) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  while (!s.empty() && s.front() == '_') s.erase(s.begin());
  if (s.empty()) s = fallback;
  std::string name = s;
  for (int k = 2; used.count(name); ++k) name = s + "_" + std::to_string(k);
  used.insert(name);
  return name;
}

class Builder {
 public:
  Builder(const onnx::ModelProto& model, std::string label, const Dims& input_dims)
      : m_(model), label_(std::move(label)), input_dims_(input_dims) {}

  std::shared_ptr<Graph> build(std::string& input_name, std::string& output_name) {
    const auto& g = m_.graph();
    for (const auto& t : g.initializer()) consts_[t.name()] = read_tensor(t, label_);
    for (const auto& v : g.input()) {
      if (consts_.count(v.name())) continue;
      if (!input_name.empty()) throw Error(label_ + ": the graph has more than one input ('" + input_name + "', '" + v.name() + "')");
      input_name = v.name();
    }
    if (input_name.empty()) throw Error(label_ + ": the graph has no input");
    if (g.output_size() != 1) throw Error(label_ + ": the graph has " + std::to_string(g.output_size()) + " outputs; one is imported");
    output_name = g.output(0).name();
    net_ = std::make_shared<Graph>(1);
    ids_[input_name] = net_->input(0);
    dims_[input_name] = input_dims_;
    for (int k = 0; k < g.node_size(); ++k) node(g.node(k), k);
    if (!ids_.count(output_name)) throw Error(label_ + ": the output '" + output_name + "' is a constant or missing");
    if (ids_.at(output_name) == net_->input(0)) throw Error(label_ + ": the graph computes nothing");
    net_->set_output(ids_.at(output_name));
    return net_;
  }

 private:
  [[noreturn]] void fail(const onnx::NodeProto& n, const std::string& what) const {
    throw Error(label_ + ": node '" + n.name() + "' (" + n.op_type() + "): " + what);
  }
  bool is_const(const std::string& v) const { return consts_.count(v) != 0; }
  const Const& cst(const onnx::NodeProto& n, int k) const {
    if (k >= n.input_size() || !is_const(n.input(k)))
      fail(n, "input " + std::to_string(k) + " must be a constant (an initializer or folded shape arithmetic)");
    return consts_.at(n.input(k));
  }
  int value(const onnx::NodeProto& n, int k) const {
    if (k >= n.input_size()) fail(n, "missing input " + std::to_string(k));
    auto it = ids_.find(n.input(k));
    if (it == ids_.end()) fail(n, "input '" + n.input(k) + "' is not computed by an earlier node");
    return it->second;
  }
  const Dims& dims(const onnx::NodeProto& n, int k) const { return dims_.at(n.input(k)); }

  void add(const onnx::NodeProto& n, int index, LayerPtr layer, std::vector<int> inputs) {
    const std::string name = clean_name(n.name(), n.op_type() + std::to_string(index), used_);
    std::vector<Dims> in;
    for (int i : inputs)
      for (const auto& [v, id] : ids_)
        if (id == i) {
          in.push_back(dims_.at(v));
          break;
        }
    Dims out;
    try {
      out = layer->output_dims(in);
    } catch (const std::exception& e) {
      fail(n, e.what());
    }
    const int id = net_->add(name, std::move(layer), std::move(inputs));
    ids_[n.output(0)] = id;
    dims_[n.output(0)] = out;
  }
  void set_param(Parameter& p, const Const& c, const onnx::NodeProto& n, const char* what) {
    if (c.is_int || static_cast<std::int64_t>(c.f.size()) != p.numel())
      fail(n, std::string(what) + " has " + std::to_string(c.size()) + " values, the layer needs " + std::to_string(p.numel()));
    p.value.from_vector(c.f);
    p.mark_updated();
  }
  void set_buffer(Tensor t, const Const& c, const onnx::NodeProto& n, const char* what) {
    if (c.is_int || static_cast<std::int64_t>(c.f.size()) != t.numel()) fail(n, std::string(what) + " has the wrong size");
    t.from_vector(c.f);
  }
  std::int64_t square(const onnx::NodeProto& n, const std::vector<std::int64_t>& v, std::int64_t def, const char* what) {
    if (v.empty()) return def;
    for (auto x : v)
      if (x != v[0]) fail(n, std::string(what) + " must be equal in both directions (square)");
    return v[0];
  }
  std::int64_t pads(const onnx::NodeProto& n, std::int64_t k, std::int64_t dilation) {
    const std::string ap = attr_s(n, "auto_pad", "NOTSET");
    if (ap == "VALID") return 0;
    if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
      const std::int64_t span = dilation * (k - 1);
      if (span % 2) fail(n, "auto_pad " + ap + " with an even kernel pads asymmetrically");
      return span / 2;
    }
    return square(n, attr_ints(n, "pads"), 0, "pads");
  }

  void node(const onnx::NodeProto& n, int index) {
    const std::string& op = n.op_type();
    if (n.output_size() < 1) fail(n, "has no output");
    if (k_identity_ops.count(op)) {
      alias(n);
      return;
    }
    if (fold(n)) return;
    if (op == "Conv") {
      const Const& w = cst(n, 1);
      if (w.dims.size() != 4) fail(n, "weight must be 4-D");
      const std::int64_t group = attr_i(n, "group", 1);
      const std::int64_t k = w.dims[2];
      if (w.dims[3] != k) fail(n, "kernel must be square");
      const std::int64_t stride = square(n, attr_ints(n, "strides"), 1, "strides");
      const std::int64_t dil = square(n, attr_ints(n, "dilations"), 1, "dilations");
      const bool bias = n.input_size() > 2 && !n.input(2).empty();
      auto l = std::make_shared<Conv2d>(w.dims[1] * group, w.dims[0], k, stride, pads(n, k, dil), dil, group, bias);
      set_param(l->weight(), w, n, "weight");
      if (bias) set_param(*l->bias(), cst(n, 2), n, "bias");
      add(n, index, l, {value(n, 0)});
    } else if (op == "ConvTranspose") {
      const Const& w = cst(n, 1);
      if (w.dims.size() != 4 || w.dims[3] != w.dims[2]) fail(n, "weight must be 4-D with a square kernel");
      if (attr_i(n, "group", 1) != 1) fail(n, "groups other than 1 are not imported");
      if (square(n, attr_ints(n, "dilations"), 1, "dilations") != 1) fail(n, "dilation other than 1 is not imported");
      if (attr(n, "output_shape")) fail(n, "output_shape is not imported (use pads / output_padding)");
      const std::int64_t k = w.dims[2];
      const bool bias = n.input_size() > 2 && !n.input(2).empty();
      auto l = std::make_shared<ConvTranspose2d>(w.dims[0], w.dims[1], k, square(n, attr_ints(n, "strides"), 1, "strides"),
                                                 square(n, attr_ints(n, "pads"), 0, "pads"),
                                                 square(n, attr_ints(n, "output_padding"), 0, "output_padding"), bias);
      set_param(l->weight(), w, n, "weight");
      if (bias) set_param(*l->bias(), cst(n, 2), n, "bias");
      add(n, index, l, {value(n, 0)});
    } else if (op == "Gemm" || op == "MatMul") {
      const Const& w = cst(n, 1);
      if (w.dims.size() != 2) fail(n, "the weight must be a 2-D constant");
      const bool trans_b = op == "Gemm" && attr_i(n, "transB", 0) != 0;
      if (op == "Gemm" && (attr_i(n, "transA", 0) != 0 || attr_f(n, "alpha", 1.f) != 1.f || attr_f(n, "beta", 1.f) != 1.f))
        fail(n, "only transA = 0, alpha = beta = 1 is imported");
      const std::int64_t out = trans_b ? w.dims[0] : w.dims[1], in = trans_b ? w.dims[1] : w.dims[0];
      const bool bias = op == "Gemm" && n.input_size() > 2 && !n.input(2).empty();
      auto l = std::make_shared<Linear>(in, out, bias);
      Const wt = w;
      if (!trans_b) {  // [in, out] -> torch's [out, in]
        wt.f.resize(w.f.size());
        for (std::int64_t r = 0; r < in; ++r)
          for (std::int64_t c = 0; c < out; ++c) wt.f[static_cast<std::size_t>(c * in + r)] = w.f[static_cast<std::size_t>(r * out + c)];
      }
      set_param(l->weight(), wt, n, "weight");
      if (bias) set_param(*l->bias(), cst(n, 2), n, "bias");
      if (dims(n, 0).size() != 2) fail(n, "input must be 2-D (Flatten first)");
      add(n, index, l, {value(n, 0)});
    } else if (op == "BatchNormalization") {
      const Const& scale = cst(n, 1);
      auto l = std::make_shared<BatchNorm2d>(static_cast<std::int64_t>(scale.size()), attr_f(n, "epsilon", 1e-5f));
      set_param(l->weight(), scale, n, "scale");
      set_param(l->bias(), cst(n, 2), n, "B");
      set_buffer(l->running_mean(), cst(n, 3), n, "mean");
      set_buffer(l->running_var(), cst(n, 4), n, "var");
      add(n, index, l, {value(n, 0)});
    } else if (op == "Relu") {
      add(n, index, std::make_shared<ReLU>(), {value(n, 0)});
    } else if (op == "LeakyRelu") {
      add(n, index, std::make_shared<LeakyReLU>(attr_f(n, "alpha", 0.01f)), {value(n, 0)});
    } else if (op == "Sigmoid") {
      add(n, index, std::make_shared<Sigmoid>(), {value(n, 0)});
    } else if (op == "Tanh") {
      add(n, index, std::make_shared<Tanh>(), {value(n, 0)});
    } else if (op == "Elu") {
      add(n, index, std::make_shared<ELU>(attr_f(n, "alpha", 1.f)), {value(n, 0)});
    } else if (op == "MaxPool" || op == "AveragePool") {
      const auto ks = attr_ints(n, "kernel_shape");
      const std::int64_t k = square(n, ks, 0, "kernel_shape");
      if (k <= 0) fail(n, "kernel_shape is required");
      if (attr_i(n, "ceil_mode", 0) != 0) fail(n, "ceil_mode = 1 is not imported");
      if (square(n, attr_ints(n, "dilations"), 1, "dilations") != 1) fail(n, "dilated pooling is not imported");
      const std::int64_t s = square(n, attr_ints(n, "strides"), 1, "strides"), p = pads(n, k, 1);
      LayerPtr l;
      if (op == "MaxPool") {
        if (n.output_size() > 1 && !n.output(1).empty()) fail(n, "the indices output is not imported");
        l = std::make_shared<MaxPool2d>(k, s, p);
      } else {
        l = std::make_shared<AvgPool2d>(k, s, p, attr_i(n, "count_include_pad", 0) != 0);
      }
      add(n, index, l, {value(n, 0)});
    } else if (op == "GlobalAveragePool") {
      add(n, index, std::make_shared<GlobalAvgPool>(), {value(n, 0)});
    } else if (op == "Add" || op == "Mul") {
      if (n.input_size() != 2 || is_const(n.input(0)) || is_const(n.input(1)))
        fail(n, "only two computed inputs of equal shape are imported (a constant operand is not)");
      if (dims(n, 0) != dims(n, 1))
        fail(n, "inputs " + dims_string(dims(n, 0)) + " and " + dims_string(dims(n, 1)) + " differ: broadcasting is not imported");
      LayerPtr l = op == "Add" ? LayerPtr(std::make_shared<Add>()) : LayerPtr(std::make_shared<Multiply>());
      add(n, index, l, {value(n, 0), value(n, 1)});
    } else if (op == "Concat") {
      const std::int64_t axis = attr_i(n, "axis", 1);
      const auto rank = static_cast<std::int64_t>(dims(n, 0).size());
      if (axis != 1 && axis != 1 - rank) fail(n, "only the channel axis (1) is imported");
      std::vector<int> in;
      for (int k = 0; k < n.input_size(); ++k) in.push_back(value(n, k));
      add(n, index, std::make_shared<Concat>(), in);
    } else if (op == "Resize" || op == "Upsample") {
      const std::string mode = attr_s(n, "mode", "nearest");
      const Dims& x = dims(n, 0);
      float scale = 0;
      const int si = op == "Upsample" ? 1 : 2;
      if (n.input_size() > si && !n.input(si).empty() && cst(n, si).size() == 4) {
        const Const& s = cst(n, si);
        if (s.at(0) != 1 || s.at(1) != 1 || s.at(2) != s.at(3)) fail(n, "only equal H and W scales are imported");
        scale = static_cast<float>(s.at(2));
      } else if (op == "Resize" && n.input_size() > 3 && !n.input(3).empty()) {
        const Const& s = cst(n, 3);
        if (s.size() != 4 || x.size() != 4 || s.at(2) * x[3] != s.at(3) * x[2]) fail(n, "sizes must scale H and W equally");
        scale = static_cast<float>(s.at(2) / static_cast<double>(x[2]));
      } else {
        fail(n, "needs constant scales or sizes");
      }
      Upsample::Mode m;
      if (mode == "nearest") {
        m = Upsample::Mode::nearest;
      } else if (mode == "linear" || mode == "bilinear") {
        const std::string ct = attr_s(n, "coordinate_transformation_mode", "half_pixel");
        if (ct != "half_pixel" && ct != "pytorch_half_pixel") fail(n, "linear mode needs half_pixel coordinates (align_corners=False)");
        m = Upsample::Mode::bilinear;
      } else {
        fail(n, "mode '" + mode + "' is not imported");
      }
      add(n, index, std::make_shared<Upsample>(scale, m), {value(n, 0)});
    } else if (op == "Flatten") {
      if (attr_i(n, "axis", 1) != 1) fail(n, "only axis 1 is imported");
      add(n, index, std::make_shared<Flatten>(), {value(n, 0)});
    } else if (op == "Reshape") {
      const Const& s = cst(n, 1);
      const Dims& x = dims(n, 0);
      Dims target;
      std::int64_t known = 1, free_at = -1;
      for (std::size_t k = 0; k < s.size(); ++k) {
        std::int64_t v = static_cast<std::int64_t>(s.at(k));
        if (v == 0) v = x.at(k);
        if (v == -1) free_at = static_cast<std::int64_t>(k);
        else known *= v;
        target.push_back(v);
      }
      if (free_at >= 0) {
        if (known <= 0) fail(n, "the shape " + dims_string(target) + " leaves no size for its -1");
        target[static_cast<std::size_t>(free_at)] = product(x) / known;
      }
      if (target == x) {
        alias(n);
      } else if (target.size() == 2 && target[0] == x.at(0)) {
        add(n, index, std::make_shared<Flatten>(), {value(n, 0)});
      } else {
        fail(n, "only a flattening reshape [N, -1] is imported (" + dims_string(x) + " -> " + dims_string(target) + ")");
      }
    } else if (op == "Softmax" || op == "LogSoftmax") {
      const std::int64_t axis = attr_i(n, "axis", m_.opset_import_size() && opset() >= 13 ? -1 : 1);
      const auto rank = static_cast<std::int64_t>(dims(n, 0).size());
      if (axis != 1 && axis != 1 - rank) fail(n, "only the class / channel axis (1) is imported");
      add(n, index, std::make_shared<Softmax>(op == "LogSoftmax"), {value(n, 0)});
    } else {
      fail(n, "is not imported");
    }
  }

  int opset() const {
    for (const auto& o : m_.opset_import())
      if (o.domain().empty() || o.domain() == "ai.onnx") return static_cast<int>(o.version());
    return 0;
  }

  void alias(const onnx::NodeProto& n) {
    if (is_const(n.input(0))) {
      consts_[n.output(0)] = consts_.at(n.input(0));
      return;
    }
    ids_[n.output(0)] = value(n, 0);
    dims_[n.output(0)] = dims(n, 0);
  }

  // Shape arithmetic on constants (and Shape of a value whose dims are known). True when folded.
  bool fold(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    Const out;
    out.is_int = true;
    if (op == "Constant") {
      const auto* v = attr(n, "value");
      if (!v || !v->has_t()) fail(n, "only the tensor `value` form is imported");
      consts_[n.output(0)] = read_tensor(v->t(), label_);
      return true;
    }
    if (op == "Shape") {
      if (is_const(n.input(0))) {
        const auto& d = consts_.at(n.input(0)).dims;
        out.i.assign(d.begin(), d.end());
      } else {
        const Dims& d = dims(n, 0);
        out.i.assign(d.begin(), d.end());
      }
      out.dims = {static_cast<std::int64_t>(out.i.size())};
      consts_[n.output(0)] = out;
      return true;
    }
    if (!k_folded_ops.count(op) && !(op == "Concat" && std::all_of(n.input().begin(), n.input().end(), [&](const std::string& s) { return is_const(s); })))
      return false;
    for (int k = 0; k < n.input_size(); ++k)
      if (!n.input(k).empty() && !is_const(n.input(k))) fail(n, "input '" + n.input(k) + "' is not a constant: only shape arithmetic is folded");
    const Const& a = cst(n, 0);
    auto values = [](const Const& c) {
      std::vector<double> v;
      for (std::size_t k = 0; k < c.size(); ++k) v.push_back(c.at(k));
      return v;
    };
    std::vector<double> r;
    Dims rd;
    if (op == "Cast") {
      r = values(a);
      rd = a.dims;
      const auto to = attr_i(n, "to", onnx::TensorProto::FLOAT);
      out.is_int = to != onnx::TensorProto::FLOAT;
    } else if (op == "Gather") {
      if (a.dims.size() > 1 || attr_i(n, "axis", 0) != 0) fail(n, "only gathering from a 1-D constant is folded");
      const Const& idx = cst(n, 1);
      for (std::size_t k = 0; k < idx.size(); ++k) {
        auto j = static_cast<std::int64_t>(idx.at(k));
        if (j < 0) j += static_cast<std::int64_t>(a.size());
        if (j < 0 || j >= static_cast<std::int64_t>(a.size())) fail(n, "index out of range");
        r.push_back(a.at(static_cast<std::size_t>(j)));
      }
      rd = idx.dims;
      out.is_int = a.is_int;
    } else if (op == "Unsqueeze" || op == "Squeeze") {
      r = values(a);
      rd = {static_cast<std::int64_t>(r.size())};
      if (op == "Squeeze" && r.size() == 1) rd = {};
      out.is_int = a.is_int;
    } else if (op == "Slice") {
      if (a.dims.size() > 1) fail(n, "only slicing a 1-D constant is folded");
      const auto len = static_cast<std::int64_t>(a.size());
      auto clampi = [&](double v) { auto x = static_cast<std::int64_t>(v); if (x < 0) x += len; return std::clamp<std::int64_t>(x, 0, len); };
      const std::int64_t b = clampi(cst(n, 1).at(0)), e = clampi(std::min<double>(cst(n, 2).at(0), 1e18));
      const std::int64_t step = n.input_size() > 4 && !n.input(4).empty() ? static_cast<std::int64_t>(cst(n, 4).at(0)) : 1;
      if (step != 1) fail(n, "only step 1 is folded");
      for (std::int64_t k = b; k < e; ++k) r.push_back(a.at(static_cast<std::size_t>(k)));
      rd = {static_cast<std::int64_t>(r.size())};
      out.is_int = a.is_int;
    } else if (op == "Concat") {
      for (int k = 0; k < n.input_size(); ++k) {
        const auto v = values(cst(n, k));
        r.insert(r.end(), v.begin(), v.end());
        out.is_int = out.is_int && cst(n, k).is_int;
      }
      rd = {static_cast<std::int64_t>(r.size())};
    }
    out.dims = rd;
    for (double v : r) {
      if (out.is_int) out.i.push_back(static_cast<std::int64_t>(v));
      else out.f.push_back(static_cast<float>(v));
    }
    consts_[n.output(0)] = out;
    return true;
  }

  const onnx::ModelProto& m_;
  std::string label_;
  Dims input_dims_;
  std::shared_ptr<Graph> net_;
  std::map<std::string, Const> consts_;
  std::map<std::string, int> ids_;
  std::map<std::string, Dims> dims_;
  std::set<std::string> used_;
};

Status parse_model(const std::filesystem::path& file, onnx::ModelProto& model) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::not_found(file.string() + ": cannot open the ONNX file");
  if (!model.ParseFromIstream(&in) || !model.has_graph())
    return Status::invalid(file.string() + ": not an ONNX model (the protobuf does not parse)");
  return Status::success();
}

// Every node whose op is neither a layer, folded nor an identity: one line each.
std::string unsupported_ops(const onnx::ModelProto& model) {
  std::string out;
  for (const auto& n : model.graph().node()) {
    const bool known = (n.domain().empty() || n.domain() == "ai.onnx") &&
                       (k_layer_ops.count(n.op_type()) || k_folded_ops.count(n.op_type()) || k_identity_ops.count(n.op_type()));
    if (!known) out += fmt::format("\n  node '{}': {}{}", n.name(), n.domain().empty() ? "" : n.domain() + ".", n.op_type());
  }
  return out;
}

std::string base64(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

bool unbase64(const std::string& in, std::string& out) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (in.size() % 4) return false;
  out.clear();
  for (std::size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      if (in[i + j] == '=') {
        v[j] = 0;
        ++pad;
      } else if ((v[j] = val(in[i + j])) < 0) {
        return false;
      }
    }
    const unsigned x = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>(x >> 16);
    if (pad < 2) out += static_cast<char>((x >> 8) & 255);
    if (pad < 1) out += static_cast<char>(x & 255);
  }
  return true;
}

Status build(const onnx::ModelProto& model, const std::string& label, const Dims& input_dims, OnnxImport& out) {
  if (const std::string bad = unsupported_ops(model); !bad.empty())
    return Status::invalid(label + ": unsupported ONNX ops (nothing was imported):" + bad);
  Dims dims = input_dims;
  try {
    std::string in_name, out_name;
    out.net = Builder(model, label, dims).build(in_name, out_name);
    out.io.input_name = in_name;
    out.io.output_name = out_name;
  } catch (const std::exception& e) {
    return Status::invalid(e.what());
  }
  return Status::success();
}

// The concrete input dims of a file's input: free dims take `fallback` (batch 1, 224 x 224).
Status input_dims_of(const onnx::ModelProto& model, const std::string& label, const Dims& given, Dims& out, Dims& declared) {
  std::set<std::string> inits;
  for (const auto& t : model.graph().initializer()) inits.insert(t.name());
  for (const auto& v : model.graph().input()) {
    if (inits.count(v.name())) continue;
    declared.clear();
    if (v.type().has_tensor_type() && v.type().tensor_type().has_shape())
      for (const auto& d : v.type().tensor_type().shape().dim()) declared.push_back(d.has_dim_value() ? d.dim_value() : 0);
    if (declared.size() != 4 && declared.size() != 2)
      return Status::invalid(label + ": input '" + v.name() + "' has rank " + std::to_string(declared.size()) +
                             "; images [N, C, H, W] or vectors [N, F] are imported");
    out = declared;
    static const std::int64_t fallback[4] = {1, 3, 224, 224};
    for (std::size_t k = 0; k < out.size(); ++k) {
      if (k < given.size() && given[k] > 0) out[k] = given[k];
      if (out[k] <= 0) out[k] = out.size() == 4 ? fallback[k] : 1;
    }
    return Status::success();
  }
  return Status::invalid(label + ": the graph has no input");
}

}  // namespace

Status import_onnx(const std::filesystem::path& file, const Dims& input_dims, OnnxImport& out) {
  const std::string label = file.string();
  onnx::ModelProto model;
  CVPIPE_RETURN_IF_ERROR(parse_model(file, model));
  Dims dims, declared;
  CVPIPE_RETURN_IF_ERROR(input_dims_of(model, label, input_dims, dims, declared));
  out = {};
  CVPIPE_RETURN_IF_ERROR(build(model, label, dims, out));
  out.io.input_dims = declared;
  out.sample_dims = dims;
  // The architecture: the graph without the weights the layers hold (their dims stay), so
  // load_imported() rebuilds the same layers and the model file supplies the values.
  std::set<std::string> params;
  for (const auto& n : model.graph().node())
    if (k_layer_ops.count(n.op_type()))
      for (int k = 1; k < n.input_size(); ++k) params.insert(n.input(k));
  onnx::ModelProto skeleton = model;
  for (auto& t : *skeleton.mutable_graph()->mutable_initializer()) {
    if (!params.count(t.name()) || t.data_type() != onnx::TensorProto::FLOAT) continue;
    const std::int64_t n = product(Dims(t.dims().begin(), t.dims().end()));
    if (n <= 16) continue;  // small constants (scales, shapes) stay in the graph
    t.clear_raw_data();
    t.clear_float_data();
  }
  skeleton.clear_metadata_props();
  std::string bytes;
  skeleton.SerializeToString(&bytes);
  nlohmann::json arch = {{"type", k_onnx_architecture}, {"input", dims}, {"source", file.filename().string()},
                         {"graph", base64(bytes)}};
  out.info.architecture = arch.dump();
  for (const auto& p : model.metadata_props()) {
    const auto value = nlohmann::json::parse(p.value(), nullptr, false);
    if (p.key() == "class_names" && value.is_array()) {
      out.info.class_names.clear();
      for (const auto& name : value)
        if (name.is_string()) out.info.class_names.push_back(name.get<std::string>());
      if (out.info.class_names.size() != value.size())
        return Status::invalid(label + ": metadata 'class_names' must be an array of strings");
    } else if (p.key() == "preprocessing" && value.is_object()) {
      out.info.preprocessing = p.value();
    }
  }
  return Status::success();
}

Status load_imported(const std::filesystem::path& model_file, OnnxImport& out) {
  const std::string label = model_file.string();
  SafeTensors st;
  ModelInfo info;
  CVPIPE_RETURN_IF_ERROR(read_model_file(model_file, st, info));
  if (info.architecture_type() != k_onnx_architecture)
    return Status::invalid(label + ": not an imported ONNX model (architecture type '" + info.architecture_type() + "')");
  const auto arch = nlohmann::json::parse(info.architecture);
  std::string bytes;
  onnx::ModelProto model;
  if (!arch.contains("graph") || !arch["graph"].is_string() || !unbase64(arch["graph"].get<std::string>(), bytes) ||
      !model.ParseFromString(bytes))
    return Status::invalid(label + ": architecture: 'graph' is not a base64 ONNX graph");
  // Layer weights come from the file: fill the stripped initializers with zeros of their dims first.
  for (auto& t : *model.mutable_graph()->mutable_initializer())
    if (t.data_type() == onnx::TensorProto::FLOAT && !t.has_raw_data() && t.float_data_size() == 0) {
      const std::int64_t elements = bounded_elements(t);
      if (elements < 0) return Status::invalid(label + ": architecture: tensor '" + t.name() + "' has dims out of range");
      t.set_raw_data(std::string(static_cast<std::size_t>(elements) * sizeof(float), '\0'));
    }
  Dims dims, declared;
  CVPIPE_RETURN_IF_ERROR(input_dims_of(model, label, arch.value("input", Dims{}), dims, declared));
  out = {};
  CVPIPE_RETURN_IF_ERROR(build(model, label, dims, out));
  out.io.input_dims = declared;
  out.sample_dims = dims;
  CVPIPE_RETURN_IF_ERROR(import_module(st, *out.net, label));
  out.info = info;
  return Status::success();
}

}  // namespace cvpipe::nn
