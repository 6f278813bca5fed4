// The gan plugin's entry point: stage `gan` (a source) and the commands `train` and `eval`.
#include "cvpipe/nn/onnx.hpp"
#include "cvpipe/plugin.hpp"
#include "eval_command.hpp"
#include "gan_stage.hpp"
#include "train_command.hpp"

namespace cvpipe::gan {
// `cvpipe export` of "cdcgan" model files (onnx_export.cpp).
Status run_export(const Params& params, const CommandContext& ctx, std::string& output);
}  // namespace cvpipe::gan

namespace {

const cvpipe::StageEntry kStages[] = {
    cvpipe::stage_entry<cvpipe::gan::GanStage>(
        "gan", "class-conditional DCGAN digit generator (source): samples or a latent walk")};

const cvpipe::CommandEntry kCommands[] = {
    {"train", "train the class-conditional DCGAN on digits (cvpipe train configs/train/gan_digits.yaml)",
     &cvpipe::gan::train_params, &cvpipe::gan::run_train},
    {"eval", "score a generator with the digits classifier: confidence, class accuracy, effective classes, Frechet distance",
     &cvpipe::gan::eval_params, &cvpipe::gan::run_eval},
    {"export:cdcgan", "the generator as an ONNX model", &cvpipe::nn::export_command_params, &cvpipe::gan::run_export},
};

}  // namespace

CVPIPE_PLUGIN("gan", "1.0.0", kStages, kCommands)
