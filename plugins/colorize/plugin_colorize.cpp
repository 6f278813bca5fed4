// The colorize plugin's entry point: stage `colorize`, commands `train` and `eval`.
#include "colorize_stage.hpp"
#include "commands.hpp"
#include "cvpipe/plugin.hpp"

namespace {

const cvpipe::StageEntry kStages[] = {
    cvpipe::stage_entry<cvpipe::colorize::ColorizeStage>(
        "colorize", "black-and-white to colour: predicts Lab chroma from L with a U-Net, keeps the input's L",
        cvpipe::StageKind::transform),
};

const cvpipe::CommandEntry kCommands[] = {
    {"train", "train the colorization network on the sample photos and video frames",
     &cvpipe::colorize::colorize_train_params, &cvpipe::colorize::run_colorize_train},
    {"eval", "PSNR and colourfulness of a colorize model on colour photos made gray, vs the gray pictures",
     &cvpipe::colorize::colorize_eval_params, &cvpipe::colorize::run_colorize_eval},
};

}  // namespace

CVPIPE_PLUGIN("colorize", "1.0.0", kStages, kCommands)
