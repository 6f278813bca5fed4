// The onnx plugin's entry point: stage `onnx` (any ONNX model through OpenCV dnn or the engine)
// and command `export:onnx_graph` (imported model files back to ONNX).
#include "cvpipe/nn/onnx.hpp"
#include "cvpipe/plugin.hpp"
#include "onnx_stage.hpp"

namespace cvpipe::onnx_stage {
// `cvpipe export` of "onnx_graph" model files (export_command.cpp).
Status run_export(const Params& params, const CommandContext& ctx, std::string& output);
}  // namespace cvpipe::onnx_stage

namespace {

const cvpipe::StageEntry kStages[] = {
    cvpipe::stage_entry<cvpipe::onnx_stage::OnnxStage>(
        "onnx", "run an ONNX model on each frame: labels, detections or an image"),
};

const cvpipe::CommandEntry kCommands[] = {
    {"export:onnx_graph", "an imported ONNX model file back to ONNX", &cvpipe::nn::export_command_params,
     &cvpipe::onnx_stage::run_export},
};

}  // namespace

CVPIPE_PLUGIN("onnx", "1.0.0", kStages, kCommands)
