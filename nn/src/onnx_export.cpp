// ONNX export and the OpenCV dnn cross-check: see cvpipe/nn/onnx.hpp.
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <span>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <opencv2/dnn.hpp>

#include "cvpipe/nn/layers.hpp"
#include "cvpipe/nn/containers.hpp"
#include "cvpipe/nn/onnx.hpp"
#include "cvpipe/nn/safetensors.hpp"

namespace cvpipe::nn {

namespace {

// Appends nodes and initializers for one layer tree to a GraphProto.
class Emitter {
 public:
  explicit Emitter(onnx::GraphProto& g) : g_(g) {}
  // Keeps `name` (the graph's input and output names) from being given to a value.
  void reserve(const std::string& name) { used_.insert(name); }

  // Emits `layer` (path = its dotted name, "" for the root) reading `ins`; returns its output name.
  std::string emit(Layer& layer, const std::string& path, const std::vector<std::string>& ins) {
    if (auto* s = dynamic_cast<Sequential*>(&layer)) {
      std::string x = ins.at(0);
      for (Layer* child : s->children()) x = emit(*child, join(path, child->name()), {x});
      return x;
    }
    if (auto* gr = dynamic_cast<Graph*>(&layer)) {
      if (gr->num_inputs() != static_cast<int>(ins.size()))
        fail(path, "a graph of " + std::to_string(gr->num_inputs()) + " inputs cannot be exported (one input only)");
      std::map<int, std::string> values;
      for (int i = 0; i < gr->num_inputs(); ++i) values[gr->input(i)] = ins[static_cast<std::size_t>(i)];
      for (int id : gr->node_ids()) {
        std::vector<std::string> node_ins;
        for (int k : gr->node_inputs(id)) node_ins.push_back(values.at(k));
        Layer& child = gr->node(id);
        values[id] = emit(child, join(path, child.name()), node_ins);
      }
      return values.at(gr->output_id());
    }
    return emit_leaf(layer, path, ins);
  }

 private:
  static std::string join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "." + b; }
  [[noreturn]] static void fail(const std::string& path, const std::string& what) {
    throw Error("layer '" + (path.empty() ? std::string("(root)") : path) + "': " + what);
  }

  // A value name not used yet (not reserved).
  std::string unused(const std::string& path, const std::string& suffix = "") const {
    const std::string base = (path.empty() ? std::string("net") : path) + suffix;
    std::string name = base;
    for (int i = 1; used_.count(name); ++i) name = base + "_" + std::to_string(i);
    return name;
  }
  std::string fresh(const std::string& path, const std::string& suffix = "") {
    std::string name = unused(path, suffix);
    used_.insert(name);
    return name;
  }

  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& ins, const std::string& out) {
    onnx::NodeProto* n = g_.add_node();
    n->set_op_type(op);
    n->set_name(out);
    for (const auto& i : ins) n->add_input(i);
    n->add_output(out);
    return *n;
  }

  static void attr_i(onnx::NodeProto& n, const char* name, std::int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr_f(onnx::NodeProto& n, const char* name, float v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr_s(onnx::NodeProto& n, const char* name, const std::string& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }
  static void attr_ints(onnx::NodeProto& n, const char* name, std::vector<std::int64_t> v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto x : v) a->add_ints(x);
  }

  // An f32 initializer named `name` (unique) holding `values` with `dims`.
  std::string initializer(const std::string& name, const Dims& dims, const std::vector<float>& values) {
    if (!used_.insert(name).second) throw Error("initializer name '" + name + "' is used twice");
    onnx::TensorProto* t = g_.add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
    return name;
  }
  std::string param(const std::string& path, Parameter& p) {
    return initializer(join(path, p.name), p.value.dims(), p.value.to_vector());
  }

  void window(onnx::NodeProto& n, const WindowGeometry& w, bool conv) {
    attr_ints(n, "kernel_shape", {w.kernel, w.kernel});
    attr_ints(n, "strides", {w.stride, w.stride});
    attr_ints(n, "pads", {w.padding, w.padding, w.padding, w.padding});
    if (conv) attr_ints(n, "dilations", {w.dilation, w.dilation});
  }

  std::string emit_leaf(Layer& l, const std::string& path, const std::vector<std::string>& ins) {
    const std::string out = fresh(path);
    const std::string& x = ins.at(0);
    if (auto* c = dynamic_cast<Conv2d*>(&l)) {
      std::vector<std::string> in{x, param(path, c->weight())};
      if (c->bias()) in.push_back(param(path, *c->bias()));
      auto& n = node("Conv", in, out);
      const WindowGeometry w = c->geometry();
      window(n, w, true);
      attr_i(n, "group", w.groups);
      return out;
    }
    if (auto* c = dynamic_cast<ConvTranspose2d*>(&l)) {
      std::vector<std::string> in{x, param(path, c->weight())};
      if (c->bias()) in.push_back(param(path, *c->bias()));
      auto& n = node("ConvTranspose", in, out);
      const WindowGeometry w = c->geometry();
      window(n, w, true);
      if (w.output_padding) attr_ints(n, "output_padding", {w.output_padding, w.output_padding});
      return out;
    }
    if (auto* c = dynamic_cast<Linear*>(&l)) {
      const std::string flat = fresh(path, "_flatten");
      attr_i(node("Flatten", {x}, flat), "axis", 1);
      std::vector<std::string> in{flat, param(path, c->weight())};
      if (c->bias()) in.push_back(param(path, *c->bias()));
      attr_i(node("Gemm", in, out), "transB", 1);
      return out;
    }
    if (auto* b = dynamic_cast<BatchNorm2d*>(&l)) {
      auto& n = node("BatchNormalization",
                     {x, param(path, b->weight()), param(path, b->bias()),
                      initializer(join(path, "running_mean"), b->running_mean().dims(), b->running_mean().to_vector()),
                      initializer(join(path, "running_var"), b->running_var().dims(), b->running_var().to_vector())},
                     out);
      attr_f(n, "epsilon", b->eps());
      return out;
    }
    if (auto* a = dynamic_cast<Activation*>(&l)) {
      switch (a->kind()) {
        case Activation::Kind::relu: node("Relu", {x}, out); break;
        case Activation::Kind::tanh: node("Tanh", {x}, out); break;
        case Activation::Kind::sigmoid: node("Sigmoid", {x}, out); break;
        case Activation::Kind::leaky_relu: attr_f(node("LeakyRelu", {x}, out), "alpha", a->alpha()); break;
        case Activation::Kind::elu: attr_f(node("Elu", {x}, out), "alpha", a->alpha()); break;
      }
      return out;
    }
    if (auto* p = dynamic_cast<MaxPool2d*>(&l)) {
      window(node("MaxPool", {x}, out), p->geometry(), false);
      return out;
    }
    if (auto* p = dynamic_cast<AvgPool2d*>(&l)) {
      const WindowGeometry w = p->geometry();
      auto& n = node("AveragePool", {x}, out);
      window(n, w, false);
      attr_i(n, "count_include_pad", w.count_include_pad ? 1 : 0);
      return out;
    }
    if (dynamic_cast<GlobalAvgPool*>(&l)) {
      node("GlobalAveragePool", {x}, out);
      return out;
    }
    if (auto* s = dynamic_cast<Softmax*>(&l)) {
      attr_i(node(s->log() ? "LogSoftmax" : "Softmax", {x}, out), "axis", 1);
      return out;
    }
    if (auto* u = dynamic_cast<Upsample*>(&l)) {
      const float s = u->scale();
      const std::string scales = initializer(unused(path, "_scales"), {4}, {1.f, 1.f, s, s});
      auto& n = node("Resize", {x, "", scales}, out);
      if (u->mode() == Upsample::Mode::nearest) {
        attr_s(n, "mode", "nearest");
        attr_s(n, "coordinate_transformation_mode", "asymmetric");
        attr_s(n, "nearest_mode", "floor");
      } else {
        attr_s(n, "mode", "linear");
        attr_s(n, "coordinate_transformation_mode", "half_pixel");
      }
      return out;
    }
    if (dynamic_cast<Dropout*>(&l)) {
      used_.erase(out);
      return x;  // identity at inference
    }
    if (dynamic_cast<Flatten*>(&l)) {
      attr_i(node("Flatten", {x}, out), "axis", 1);
      return out;
    }
    if (dynamic_cast<Add*>(&l) || dynamic_cast<Multiply*>(&l)) {
      const char* op = dynamic_cast<Add*>(&l) ? "Add" : "Mul";
      if (ins.size() == 1) {
        used_.erase(out);
        return x;
      }
      std::string acc = ins[0];
      for (std::size_t i = 1; i < ins.size(); ++i) {
        const std::string o = i + 1 == ins.size() ? out : fresh(path, "_" + std::to_string(i));
        node(op, {acc, ins[i]}, o);
        acc = o;
      }
      return out;
    }
    if (dynamic_cast<Concat*>(&l)) {
      attr_i(node("Concat", ins, out), "axis", 1);
      return out;
    }
    fail(path, "layer type " + l.type() + " has no ONNX export");
  }

  onnx::GraphProto& g_;
  std::set<std::string> used_;

 public:
  // The mean of `outs` (each after a softmax over dim 1 when `softmax`).
  std::string mean(const std::vector<std::string>& outs, bool softmax) {
    std::vector<std::string> terms;
    for (const auto& o : outs) {
      if (!softmax) {
        terms.push_back(o);
        continue;
      }
      const std::string p = fresh(o, "_softmax");
      attr_i(node("Softmax", {o}, p), "axis", 1);
      terms.push_back(p);
    }
    std::string acc = terms[0];
    for (std::size_t i = 1; i < terms.size(); ++i) {
      const std::string o = fresh("ensemble", "_sum");
      node("Add", {acc, terms[i]}, o);
      acc = o;
    }
    const std::string k = initializer(unused("ensemble", "_scale"), {}, {1.f / static_cast<float>(terms.size())});
    const std::string y = fresh("ensemble", "_mean");
    node("Mul", {acc, k}, y);
    return y;
  }
};

// Free dims (<= 0) get names: "batch", "height" ... with `prefix` ("out_" for the output, whose
// free sizes may differ from the input's).
void set_float_type(onnx::ValueInfoProto& v, const std::string& name, const Dims* dims, const std::string& prefix = "") {
  v.set_name(name);
  auto* t = v.mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  if (!dims) return;
  static const char* const k_free[] = {"batch", "channels", "height", "width"};
  auto* shape = t->mutable_shape();
  for (std::size_t i = 0; i < dims->size(); ++i) {
    auto* d = shape->add_dim();
    if ((*dims)[i] > 0)
      d->set_dim_value((*dims)[i]);
    else
      d->set_dim_param(prefix + (i < 4 ? k_free[i] : "d" + std::to_string(i)));
  }
}

}  // namespace

Status export_onnx(const std::vector<OnnxMember>& members, const ModelInfo& info, const OnnxExportOptions& options,
                   const std::filesystem::path& out) {
  const std::string label = out.string();
  if (options.input_dims.size() != 2 && options.input_dims.size() != 4)
    return Status::invalid(label + ": input dims must have rank 2 or 4, got " + dims_string(options.input_dims));
  if (members.empty()) return Status::invalid(label + ": no network to export");
  onnx::ModelProto model;
  try {
    model.set_ir_version(k_onnx_ir_version);
    model.set_producer_name("cvpipe");
    model.set_producer_version(cvpipe_version());
    auto* opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(k_onnx_opset);
    for (const auto& [key, value] : model_metadata(info)) {
      auto* p = model.add_metadata_props();
      p->set_key(key);
      p->set_value(value);
    }
    if (!options.consumer_notes.empty()) {
      auto* p = model.add_metadata_props();
      p->set_key("cvpipe.consumer");
      p->set_value(options.consumer_notes);
    }
    onnx::GraphProto& g = *model.mutable_graph();
    g.set_name(info.architecture_type().empty() ? "cvpipe" : info.architecture_type());
    set_float_type(*g.add_input(), options.input_name, &options.input_dims);
    Emitter e(g);
    e.reserve(options.input_name);
    e.reserve(options.output_name);
    std::vector<std::string> outs;
    for (const auto& m : members) {
      m.net->eval();
      outs.push_back(e.emit(*m.net, m.prefix, {options.input_name}));
    }
    std::string y = outs[0];
    if (members.size() > 1 || options.softmax_mean) y = e.mean(outs, options.softmax_mean);
    if (y == options.input_name) return Status::invalid(label + ": the network computes nothing (identity)");
    for (auto& n : *g.mutable_node()) {
      for (auto& i : *n.mutable_input())
        if (i == y) i = options.output_name;
      for (auto& o : *n.mutable_output())
        if (o == y) o = options.output_name;
    }
    // Output dims: those equal for two different probe inputs are fixed, the others free.
    Dims out_dims;
    {
      Dims a = options.input_dims, b = options.input_dims;
      for (std::size_t k = 0; k < a.size(); ++k)
        if (a[k] <= 0) {
          a[k] = k == 0 ? 1 : 64;
          b[k] = k == 0 ? 2 : 128;
        }
      const Dims ya = members[0].net->output_dims({a}), yb = members[0].net->output_dims({b});
      for (std::size_t k = 0; k < ya.size(); ++k) out_dims.push_back(ya[k] == yb[k] ? ya[k] : 0);
    }
    set_float_type(*g.add_output(), options.output_name, &out_dims, "out_");
    onnx::checker::check_model(model);
  } catch (const std::exception& ex) {
    return Status::invalid(label + ": cannot export: " + ex.what());
  }
  std::string bytes;
  if (!model.SerializeToString(&bytes)) return Status::runtime(label + ": cannot serialise the ONNX model");
  return write_file_atomic(out, std::as_bytes(std::span<const char>(bytes.data(), bytes.size())));
}

Status compare_with_opencv(const EngineFn& engine, const std::filesystem::path& onnx_file, const Dims& input_dims,
                           double& max_abs_diff) {
  const std::string label = onnx_file.string();
  std::vector<float> input(static_cast<std::size_t>(product(input_dims)));
  std::mt19937 rng(1234);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (auto& v : input) v = u(rng);
  std::vector<float> ours;
  Dims our_dims;
  try {
    const Tensor y = engine(Tensor::from_vector(input_dims, input));
    our_dims = y.dims();
    ours = y.to_vector();
  } catch (const std::exception& e) {
    return Status::runtime(label + ": the engine failed on input " + dims_string(input_dims) + ": " + e.what());
  }
  cv::Mat theirs;
  try {
    cv::dnn::Net cvnet = cv::dnn::readNetFromONNX(onnx_file.string());
    std::vector<int> sizes(input_dims.begin(), input_dims.end());
    cv::Mat blob(static_cast<int>(sizes.size()), sizes.data(), CV_32F, input.data());
    cvnet.setInput(blob);
    theirs = cvnet.forward().clone();
  } catch (const cv::Exception& e) {
    return Status::runtime(label + ": OpenCV dnn cannot run it: " + e.what());
  }
  Dims their_dims;
  for (int i = 0; i < theirs.dims; ++i) their_dims.push_back(theirs.size[i]);
  if (their_dims != our_dims || theirs.type() != CV_32F)
    return Status::runtime(label + ": OpenCV dnn output " + dims_string(their_dims) + " differs from the engine's " +
                           dims_string(our_dims));
  const float* t = theirs.ptr<float>();
  max_abs_diff = 0;
  for (std::size_t i = 0; i < ours.size(); ++i)
    max_abs_diff = std::max(max_abs_diff, static_cast<double>(std::fabs(ours[i] - t[i])));
  return Status::success();
}

std::vector<ParamSpec> export_command_params() {
  return {
      ParamSpec::model("model", "", "the model file to export"),
      ParamSpec::path("onnx", std::nullopt, false, "the ONNX file to write (atomically)"),
      ParamSpec::boolean("check", false, "also run the file with OpenCV dnn and compare with the engine"),
      ParamSpec::number("tolerance", 1e-4, 0, 1e9, "check: largest allowed absolute difference"),
  };
}

Status expect_architecture(const std::filesystem::path& model, const std::vector<std::string>& types, ModelInfo& info) {
  SafeTensors st;
  CVPIPE_RETURN_IF_ERROR(read_model_file(model, st, info));
  for (const auto& t : types)
    if (info.architecture_type() == t) return Status::success();
  return Status::unsupported(model.string() + ": architecture type '" + info.architecture_type() + "' is not this plugin's");
}

Status run_export_job(const Params& params, ExportJob job, std::string& output) {
  const std::filesystem::path model = params.get_string("model");
  const std::filesystem::path onnx_file = params.get_string("onnx");
  if (onnx_file.empty()) return Status::invalid("export: --onnx FILE is required");
  CVPIPE_RETURN_IF_ERROR(export_onnx(job.members, job.info, job.options, onnx_file));
  nlohmann::json out = {{"model", model.string()},
                        {"onnx", onnx_file.string()},
                        {"opset", k_onnx_opset},
                        {"input", job.options.input_dims}};
  if (params.get_bool("check")) {
    if (!job.engine) {
      Layer* net = job.members.at(0).net;
      job.engine = [net](const Tensor& x) { return net->forward(x); };
    }
    double diff = 0;
    CVPIPE_RETURN_IF_ERROR(compare_with_opencv(job.engine, onnx_file, job.check_dims, diff));
    out["check_input"] = job.check_dims;
    out["max_abs_diff"] = diff;
    const double tol = params.get_number("tolerance");
    if (!(diff <= tol))
      return Status::runtime(fmt::format("{}: OpenCV dnn and the engine differ by {:.3g} (tolerance {:.3g})",
                                         onnx_file.string(), diff, tol));
  }
  output = out.dump();
  return Status::success();
}

Status read_onnx_info(const std::filesystem::path& onnx_file, OnnxFileInfo& out) {
  const std::string label = onnx_file.string();
  std::ifstream in(onnx_file, std::ios::binary);
  if (!in) return Status::not_found(label + ": cannot open the ONNX file");
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&in)) return Status::invalid(label + ": not an ONNX model (the protobuf does not parse)");
  out = {};
  for (const auto& p : model.metadata_props()) out.metadata[p.key()] = p.value();
  for (const auto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") out.opset = static_cast<int>(o.version());
  std::set<std::string> inits;
  for (const auto& t : model.graph().initializer()) inits.insert(t.name());
  for (const auto& v : model.graph().input()) {
    if (inits.count(v.name())) continue;
    out.input_name = v.name();
    if (v.type().has_tensor_type() && v.type().tensor_type().has_shape())
      for (const auto& d : v.type().tensor_type().shape().dim()) out.input_dims.push_back(d.has_dim_value() ? d.dim_value() : 0);
    return Status::success();
  }
  return Status::invalid(label + ": the graph has no input");
}

}  // namespace cvpipe::nn
