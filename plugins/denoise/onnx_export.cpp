// Command `export` (cvpipe export): the denoising CNN. The unshuffle, noise-level plane and the
// residual subtraction run around it (network.hpp); the metadata says how.
#include "cvpipe/nn/onnx.hpp"
#include "network.hpp"

namespace cvpipe::denoise {

Status run_export(const Params& params, const CommandContext&, std::string& output) {
  return guard([&]() -> Status {
    nn::ExportJob job;
    CVPIPE_RETURN_IF_ERROR(nn::expect_architecture(params.get_string("model"), {k_arch_type}, job.info));
    std::unique_ptr<DenoiseNet> net;
    CVPIPE_RETURN_IF_ERROR(DenoiseNet::load(params.get_string("model"), net));
    job.members.push_back({"", &net->module()});
    job.options.input_dims = {0, net->in_planes(), 0, 0};
    job.options.output_name = "noise";
    job.options.consumer_notes =
        "input: the image (C channels, values / 255, even H and W) pixel-unshuffled 2x2 into 4C planes of "
        "H/2 x W/2 (plane c*4 + dy*2 + dx = x[c](2i+dy, 2j+dx)), then one plane filled with sigma / 255; "
        "output: the noise, unshuffled the same way: clean = x - pixel_shuffle(output)";
    job.check_dims = {2, net->in_planes(), 24, 40};
    return nn::run_export_job(params, std::move(job), output);
  });
}

}  // namespace cvpipe::denoise
