// The colorize plugin's entry point: stage `colorize`, commands `train` and `eval`.
#include "colorize_stage.hpp"
#include "commands.hpp"
#include "cvpipe/nn/onnx.hpp"
#include "cvpipe/plugin.hpp"

namespace cvpipe::colorize {
// `cvpipe export` of "colorize_ab_classes" model files (onnx_export.cpp).
Status run_colorize_export(const Params& params, const CommandContext& ctx, std::string& output);
}  // namespace cvpipe::colorize

namespace {

const cvpipe::StageEntry kStages[] = {
    cvpipe::stage_entry<cvpipe::colorize::ColorizeStage>(
        "colorize", "black-and-white to colour: predicts Lab chroma from L with a U-Net, keeps the input's L"),
};

const cvpipe::CommandEntry kCommands[] = {
    {"train", "train the colorization network on the sample photos and video frames",
     &cvpipe::colorize::colorize_train_params, &cvpipe::colorize::run_colorize_train},
    {"eval", "PSNR and colourfulness of a colorize model on colour photos made gray, vs the gray pictures",
     &cvpipe::colorize::colorize_eval_params, &cvpipe::colorize::run_colorize_eval},
    {"export:colorize_ab_classes", "the colorization U-Net as an ONNX model", &cvpipe::nn::export_command_params, &cvpipe::colorize::run_colorize_export},
};

}  // namespace

CVPIPE_PLUGIN("colorize", "1.0.0", kStages, kCommands)
