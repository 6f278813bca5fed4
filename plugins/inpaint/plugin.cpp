// The inpaint plugin's entry point: stage `inpaint`, commands `train` and `eval`.
#include "cvpipe/nn/onnx.hpp"
#include "cvpipe/plugin.hpp"

#include "eval_command.hpp"
#include "inpaint_stage.hpp"
#include "train_command.hpp"

namespace cvpipe::inpaint {
// `cvpipe export` of "inpaint_refine_unet" model files (onnx_export.cpp).
Status run_export(const Params& params, const CommandContext& ctx, std::string& output);
}  // namespace cvpipe::inpaint

namespace {

const cvpipe::StageEntry kStages[] = {
    cvpipe::stage_entry<cvpipe::inpaint::InpaintStage>(
        "inpaint", "fill holes (mask files, key colour, mask plane or detections): learned gated U-Net or cv::inpaint"),
};

const cvpipe::CommandEntry kCommands[] = {
    {"train", "train the inpainting network on photo patches with random free-form masks", &cvpipe::inpaint::train_params,
     &cvpipe::inpaint::run_train},
    {"eval", "hole PSNR/speed of an inpaint model vs Telea and Navier-Stokes on seeded masks",
     &cvpipe::inpaint::eval_params, &cvpipe::inpaint::run_eval},
    {"export:inpaint_refine_unet", "the refinement U-Net as an ONNX model", &cvpipe::nn::export_command_params, &cvpipe::inpaint::run_export},
};

}  // namespace

CVPIPE_PLUGIN("inpaint", "1.0.0", kStages, kCommands)
