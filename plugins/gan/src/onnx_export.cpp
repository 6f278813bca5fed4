// Command `export` (cvpipe export): the generator. Input: the latent vector followed by the one-hot
// class, as a [N, z_dim + classes, 1, 1] tensor; output: the image in the Tanh range.
#include "cvpipe/nn/onnx.hpp"
#include "model_file.hpp"

namespace cvpipe::gan {

Status run_export(const Params& params, const CommandContext&, std::string& output) {
  return guard([&]() -> Status {
    nn::ExportJob job;
    CVPIPE_RETURN_IF_ERROR(nn::expect_architecture(params.get_string("model"), {"cdcgan"}, job.info));
    GeneratorFile file;
    CVPIPE_RETURN_IF_ERROR(load_generator(params.get_string("model"), file));
    const GanArch& a = file.generator->arch();
    job.members.push_back({"", &file.generator->net()});
    job.options.input_dims = {0, a.z_dim + a.num_classes, 1, 1};
    job.options.input_name = "latent_and_class";
    job.options.output_name = "image";
    job.options.consumer_notes =
        "input: z (z_dim values, standard normal) followed by the one-hot class (class_names order); "
        "output: the image in [-1, 1]: pixel = (y + 1) * 127.5";
    job.check_dims = {3, a.z_dim + a.num_classes, 1, 1};
    return nn::run_export_job(params, std::move(job), output);
  });
}

}  // namespace cvpipe::gan
