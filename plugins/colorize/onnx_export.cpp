// Command `export` (cvpipe export) of the colorize and translate plugins. Colorize: the U-Net from
// the L plane to chroma-bin logits; the Lab split and the decoding of the logits (annealed mean
// over preprocessing.bins) run around it (colorize_net.hpp). Translate: the residual U-Net.
#include "colorize_net.hpp"
#include "cvpipe/nn/onnx.hpp"
#include "translate_net.hpp"

namespace cvpipe::colorize {

Status run_colorize_export(const Params& params, const CommandContext&, std::string& output) {
  return guard([&]() -> Status {
    nn::ExportJob job;
    CVPIPE_RETURN_IF_ERROR(nn::expect_architecture(params.get_string("model"), {k_colorize_arch}, job.info));
    std::unique_ptr<ColorizeNet> net;
    CVPIPE_RETURN_IF_ERROR(ColorizeNet::load(params.get_string("model"), net));
    job.members.push_back({"", &net->module()});
    job.options.input_dims = {0, 1, 0, 0};
    job.options.input_name = "lightness";
    job.options.output_name = "bin_logits";
    job.options.consumer_notes =
        "input: L of Lab (0..100) / 100 - 0.5, resized so the short side is preprocessing.net_side, sides multiples "
        "of " + std::to_string(net->multiple()) + "; output: logits over preprocessing.bins at 1/" +
        std::to_string(net->output_scale()) + " of the input size; ab = annealed mean (preprocessing.temperature) "
        "of the bins times preprocessing.saturation, resized to the image and joined with its L";
    const int m = net->multiple();
    job.check_dims = {1, 1, 4 * m, 6 * m};
    return nn::run_export_job(params, std::move(job), output);
  });
}

Status run_translate_export(const Params& params, const CommandContext&, std::string& output) {
  return guard([&]() -> Status {
    nn::ExportJob job;
    CVPIPE_RETURN_IF_ERROR(nn::expect_architecture(params.get_string("model"), {k_translate_arch}, job.info));
    std::unique_ptr<TranslateNet> net;
    CVPIPE_RETURN_IF_ERROR(TranslateNet::load(params.get_string("model"), net));
    job.members.push_back({"", &net->module()});
    job.options.input_dims = {0, 3, 0, 0};
    job.options.output_name = "residual";
    job.options.consumer_notes =
        "input: BGR / 255 - 0.5, reflect-padded to multiples of " + std::to_string(net->multiple()) +
        "; output: a residual: out = clip(input + 0.5 + residual, 0, 1), cropped back";
    const int m = net->multiple();
    job.check_dims = {1, 3, 4 * m, 6 * m};
    return nn::run_export_job(params, std::move(job), output);
  });
}

}  // namespace cvpipe::colorize
