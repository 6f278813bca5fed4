// The denoise plugin's entry point: stages `denoise` and `add_noise`, commands `train` and `eval`.
#include "cvpipe/nn/onnx.hpp"
#include "cvpipe/plugin.hpp"

#include "denoise_stage.hpp"
#include "eval_command.hpp"
#include "noise_stage.hpp"
#include "train_command.hpp"

namespace cvpipe::denoise {
// `cvpipe export` of "ffdnet_residual_unshuffle2" model files (onnx_export.cpp).
Status run_export(const Params& params, const CommandContext& ctx, std::string& output);
}  // namespace cvpipe::denoise

namespace {

const cvpipe::StageEntry kStages[] = {
    cvpipe::stage_entry<cvpipe::denoise::DenoiseStage>(
        "denoise", "remove Gaussian noise: learned CNN (FFDNet-style) or NL-means"),
    cvpipe::stage_entry<cvpipe::denoise::AddNoiseStage>(
        "add_noise", "add seeded Gaussian noise (keeps the clean frame as plane 'original')"),
};

const cvpipe::CommandEntry kCommands[] = {
    {"train", "train a denoising CNN on the sample photographs", &cvpipe::denoise::train_params,
     &cvpipe::denoise::run_train},
    {"eval", "PSNR/SSIM/speed of a denoise model vs NL-means on noisy copies of clean images",
     &cvpipe::denoise::eval_params, &cvpipe::denoise::run_eval},
    {"export:ffdnet_residual_unshuffle2", "the denoising CNN as an ONNX model", &cvpipe::nn::export_command_params, &cvpipe::denoise::run_export},
};

}  // namespace

CVPIPE_PLUGIN("denoise", "1.0.0", kStages, kCommands)
