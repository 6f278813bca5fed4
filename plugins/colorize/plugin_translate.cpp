// The translate plugin's entry point: stages `translate` and `night_style`, commands `train` and `eval`.
#include "commands.hpp"
#include "cvpipe/nn/onnx.hpp"
#include "cvpipe/plugin.hpp"
#include "translate_stage.hpp"

namespace cvpipe::colorize {
// `cvpipe export` of "translate_residual" model files (onnx_export.cpp).
Status run_translate_export(const Params& params, const CommandContext& ctx, std::string& output);
}  // namespace cvpipe::colorize

namespace {

const cvpipe::StageEntry kStages[] = {
    cvpipe::stage_entry<cvpipe::colorize::TranslateStage>(
        "translate", "paired image-to-image translation with a trained U-Net (e.g. day -> night)"),
    cvpipe::stage_entry<cvpipe::colorize::NightStyleStage>(
        "night_style", "the synthetic day -> night tone mapping the shipped translation learned"),
};

const cvpipe::CommandEntry kCommands[] = {
    {"train", "train a paired image-to-image network (U-Net, L1 + optional PatchGAN) from a/ b/ pairs or a synthetic task",
     &cvpipe::colorize::translate_train_params, &cvpipe::colorize::run_translate_train},
    {"eval", "PSNR and L1 of a translate model on A/B pairs, vs the untranslated A",
     &cvpipe::colorize::translate_eval_params, &cvpipe::colorize::run_translate_eval},
    {"export:translate_residual", "the translation U-Net as an ONNX model", &cvpipe::nn::export_command_params, &cvpipe::colorize::run_translate_export},
};

}  // namespace

CVPIPE_PLUGIN("translate", "1.0.0", kStages, kCommands)
