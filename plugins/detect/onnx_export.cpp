// Command `export` (cvpipe export): the CenterNet detector's network. Decoding (sigmoid heatmaps,
// 3x3 local maxima, offsets and log sizes at stride 4) runs around it (centernet.hpp).
#include "centernet.hpp"
#include "cvpipe/nn/onnx.hpp"

namespace cvpipe::detect {

Status run_export(const Params& params, const CommandContext&, std::string& output) {
  return guard([&]() -> Status {
    nn::ExportJob job;
    CVPIPE_RETURN_IF_ERROR(nn::expect_architecture(params.get_string("model"), {kCenterNetType}, job.info));
    std::unique_ptr<CenterNet> net;
    CVPIPE_RETURN_IF_ERROR(CenterNet::load(params.get_string("model"), net));
    job.members.push_back({"", &net->module()});
    job.options.input_dims = {0, 3, 0, 0};
    job.options.output_name = "heads";
    job.options.consumer_notes =
        "input: the BGR image / 255, padded right and bottom to multiples of 32 (pad value 114); output [N, C + 4, "
        "H/4, W/4]: C class heatmap logits (sigmoid; peaks = 3x3 local maxima), then the centre offset (x, y) "
        "within the 4x4 cell and the log box size (log(w / 4), log(h / 4))";
    job.check_dims = {1, 3, 64, 96};
    return nn::run_export_job(params, std::move(job), output);
  });
}

}  // namespace cvpipe::detect
