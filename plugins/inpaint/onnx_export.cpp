// Command `export` (cvpipe export): the refinement U-Net. The Telea pre-fill and the compositing
// of hole pixels run around it (network.hpp).
#include "cvpipe/nn/onnx.hpp"
#include "network.hpp"

namespace cvpipe::inpaint {

Status run_export(const Params& params, const CommandContext&, std::string& output) {
  return guard([&]() -> Status {
    nn::ExportJob job;
    CVPIPE_RETURN_IF_ERROR(nn::expect_architecture(params.get_string("model"), {k_arch_type}, job.info));
    std::unique_ptr<InpaintNet> net;
    CVPIPE_RETURN_IF_ERROR(InpaintNet::load(params.get_string("model"), net));
    job.members.push_back({"", &net->module()});
    job.options.input_dims = {0, k_in_planes, 0, 0};
    job.options.output_name = "residual";
    job.options.consumer_notes =
        "input: the Telea fill (cv::inpaint radius 3, hole pixels zeroed first) as BGR / 255 - 0.5 and the hole "
        "mask (1 = hole), sides multiples of " + std::to_string(net->multiple()) +
        "; output: a BGR residual: estimate = fill + residual, used in the holes only";
    const int m = net->multiple();
    job.check_dims = {1, k_in_planes, 4 * m, 6 * m};
    return nn::run_export_job(params, std::move(job), output);
  });
}

}  // namespace cvpipe::inpaint
