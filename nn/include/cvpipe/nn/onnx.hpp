// ONNX in and out for nn networks (docs/onnx.md).
//
// export_onnx() writes a network built from nn's layers (layers.hpp, nested Sequential / Graph
// containers with one input) as an ONNX model of opset k_onnx_opset, in the network's eval-mode
// semantics (BatchNorm2d with running statistics, Dropout as identity). Initializer names are the
// model file's tensor names ("enc0.0.weight"), node names the layers' dotted paths. The model's
// metadata_props hold the model file's metadata (architecture, preprocessing, class_names, ...; see
// model_file.hpp) plus "cvpipe.consumer": what a consumer does around the network. The file passes
// onnx::checker::check_model before it is written, and is written atomically: on any error nothing
// is left at the output path. Errors name the layer that cannot be exported.
//
// compare_with_opencv() runs an ONNX file with OpenCV's dnn module and `net` with the engine on
// the same seeded input and reports the largest absolute difference of their outputs.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cvpipe/nn/layer.hpp"
#include "cvpipe/nn/model_file.hpp"
#include "cvpipe/nn/containers.hpp"
#include "cvpipe/params.hpp"
#include "cvpipe/plugin.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::nn {

inline constexpr int k_onnx_opset = 13;
inline constexpr int k_onnx_ir_version = 8;

struct OnnxExportOptions {
  // Input dims: [N, C, H, W] (or [N, F]); a dim of 0 is left free in the file ("batch", "height",
  // "width"), for networks that take any batch or image size.
  Dims input_dims;
  std::string input_name = "input";
  std::string output_name = "output";
  std::string consumer_notes;  // metadata "cvpipe.consumer"
  // Several members (an ensemble): the output is the mean of their outputs, each after a softmax
  // over dim 1 when this is set (a classifier ensemble's probabilities).
  bool softmax_mean = false;
};

// One network to export; `prefix` is prepended to its tensor and node names ("members.0").
struct OnnxMember {
  std::string prefix;
  Layer* net = nullptr;
};

Status export_onnx(const std::vector<OnnxMember>& members, const ModelInfo& info, const OnnxExportOptions& options,
                   const std::filesystem::path& out);
inline Status export_onnx(Layer& net, const ModelInfo& info, const OnnxExportOptions& options,
                          const std::filesystem::path& out) {
  return export_onnx({OnnxMember{"", &net}}, info, options, out);
}

// The engine side of a comparison: the network's output for one input.
using EngineFn = std::function<Tensor(const Tensor&)>;

// `input_dims` must be concrete. Errors: OpenCV rejects the file or the output dims differ (both
// name the file).
Status compare_with_opencv(const EngineFn& engine, const std::filesystem::path& onnx_file, const Dims& input_dims,
                           double& max_abs_diff);

// Import. import_onnx() turns an ONNX graph into an nn::Graph of the layer zoo that infers and
// trains like any network. Before anything is built, every node whose op is not imported is listed
// in one error (node name and op); a node of a known op in a form the engine lacks (a non-square
// kernel, broadcasting Add / Mul, ...) is an error naming the node. Shape arithmetic (Constant,
// Shape, Gather, Slice, Cast, Unsqueeze, Squeeze, Concat of constants) is folded for the input
// dims: the file's, free dims taken from `input_dims` (else batch 1, 224 x 224). The result's
// info.architecture ({"type": "onnx_graph", "graph": the ONNX graph without the layer weights,
// base64}) lets load_imported() rebuild the same graph from a model file save_model() wrote.
inline constexpr const char* k_onnx_architecture = "onnx_graph";

struct OnnxImport {
  std::shared_ptr<Graph> net;
  ModelInfo info;
  OnnxExportOptions io;  // the file's input name and dims (0 = free) and output name
  Dims sample_dims;      // the concrete input dims the graph was folded for
};
Status import_onnx(const std::filesystem::path& onnx_file, const Dims& input_dims, OnnxImport& out);
Status load_imported(const std::filesystem::path& model_file, OnnxImport& out);

// The `export` command of the model plugins, one body for all: parameters `model`, `onnx` (the file
// to write), `check` (also run compare_with_opencv on `check_dims` and fail above `tolerance`).
// A plugin registers it as "export:<architecture type>" (one per type it builds); `cvpipe export`
// runs the command named after the model file's architecture type.
struct ExportJob {
  std::vector<OnnxMember> members;  // in eval mode after the call
  ModelInfo info;
  OnnxExportOptions options;
  Dims check_dims;  // a concrete input for the check
  EngineFn engine;  // default: the single member's forward
};
std::vector<ParamSpec> export_command_params();
// Unsupported (naming the file and its type) unless the model file's architecture type is one of
// `types`; fills `info` from the file.
Status expect_architecture(const std::filesystem::path& model, const std::vector<std::string>& types, ModelInfo& info);
// Writes the ONNX file, checks it when asked and fills `output` (a JSON object: model, onnx, opset,
// input, max_abs_diff when checked).
Status run_export_job(const Params& params, ExportJob job, std::string& output);

// What a consumer needs to know of an ONNX file before running it.
struct OnnxFileInfo {
  std::map<std::string, std::string> metadata;  // metadata_props
  std::string input_name;                       // the first graph input that is not an initializer
  Dims input_dims;                              // its dims, 0 where free (dim_param or unknown)
  int opset = 0;                                // of the default domain
};
// Errors (naming the file): missing, not an ONNX protobuf, no graph input.
Status read_onnx_info(const std::filesystem::path& onnx_file, OnnxFileInfo& out);

}  // namespace cvpipe::nn
