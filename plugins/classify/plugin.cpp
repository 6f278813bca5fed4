// The classify plugin's entry point: stage `classify`, commands `train` and `eval`.
#include "classify_stage.hpp"
#include "cvpipe/nn/onnx.hpp"
#include "cvpipe/plugin.hpp"
#include "eval_command.hpp"
#include "train_command.hpp"

namespace cvpipe::classify {
// `cvpipe export` of "classify" model files (onnx_export.cpp).
Status run_export(const Params& params, const CommandContext& ctx, std::string& output);
}  // namespace cvpipe::classify

namespace {

const cvpipe::StageEntry kStages[] = {
    cvpipe::stage_entry<cvpipe::classify::ClassifyStage>(
        "classify", "CNN image classification: top-k labels per frame or a label per detection"),
};

const cvpipe::CommandEntry kCommands[] = {
    {"train", "train a classifier (lenet or cnn) on digits.png or an image folder", &cvpipe::classify::train_params,
     &cvpipe::classify::run_train},
    {"eval", "accuracy, per-class accuracy and confusion matrix of a model on a dataset split",
     &cvpipe::classify::eval_params, &cvpipe::classify::run_eval},
    {"export:classify", "the classifier (ensemble mean of softmax) as an ONNX model", &cvpipe::nn::export_command_params, &cvpipe::classify::run_export},
};

}  // namespace

CVPIPE_PLUGIN("classify", "1.0.0", kStages, kCommands)
