// The detect plugin's entry point: stages `detect` and `track`, commands `train`, `eval` and
// `data:digit-scenes` (run as `cvpipe data digit-scenes`).
#include "commands.hpp"
#include "cvpipe/nn/onnx.hpp"
#include "cvpipe/plugin.hpp"
#include "detect_stage.hpp"
#include "track_stage.hpp"

namespace cvpipe::detect {
// `cvpipe export` of "centernet_unet" model files (onnx_export.cpp).
Status run_export(const Params& params, const CommandContext& ctx, std::string& output);
}  // namespace cvpipe::detect

namespace {

const cvpipe::StageEntry kStages[] = {
    cvpipe::stage_entry<cvpipe::detect::DetectStage>(
        "detect", "object detection (cnn: the trained detector; haar cascades: faces, eyes, bodies; hog: people) into the frame's detections"),
    cvpipe::stage_entry<cvpipe::detect::TrackStage>(
        "track", "SORT tracking: persistent track ids for the detections of a video"),
};

const cvpipe::CommandEntry kCommands[] = {
    {"train", "train the CNN detector on composed digit scenes or a COCO folder", &cvpipe::detect::train_params,
     &cvpipe::detect::run_train},
    {"eval", "mAP@0.5, mAP@0.5:0.95, precision, recall and speed of a detection backend on a COCO folder",
     &cvpipe::detect::eval_params, &cvpipe::detect::run_eval},
    {"data:digit-scenes", "write a COCO dataset of handwritten digits pasted on real photos",
     &cvpipe::detect::digit_scenes_params, &cvpipe::detect::run_digit_scenes},
    {"export:centernet_unet", "the CenterNet network as an ONNX model", &cvpipe::nn::export_command_params, &cvpipe::detect::run_export},
};

}  // namespace

CVPIPE_PLUGIN("detect", "1.0.0", kStages, kCommands)
