// Command `export` (cvpipe export): the classifier, an ensemble of networks, as one ONNX model whose
// output is the mean of the members' softmax probabilities, as Classifier::predict computes it.
#include "architectures.hpp"
#include "cvpipe/classify/classifier.hpp"
#include "cvpipe/nn/onnx.hpp"

namespace cvpipe::classify {

Status run_export(const Params& params, const CommandContext&, std::string& output) {
  return guard([&]() -> Status {
    nn::ExportJob job;
    CVPIPE_RETURN_IF_ERROR(nn::expect_architecture(params.get_string("model"), {kArchitectureType}, job.info));
    std::unique_ptr<Classifier> model;
    CVPIPE_RETURN_IF_ERROR(Classifier::load(params.get_string("model"), model));
    const ModelSpec& s = model->spec();
    const int n = model->members();
    for (int i = 0; i < n; ++i) {
      std::string prefix = member_prefix(i, n);  // "members.3." or ""
      if (!prefix.empty()) prefix.pop_back();
      job.members.push_back({prefix, &model->member_network(i)});
    }
    job.options.input_dims = {0, s.input_channels, s.input_height, s.input_width};
    job.options.output_name = "probabilities";
    job.options.softmax_mean = true;
    job.options.consumer_notes =
        "input: the image fitted to the input size (preprocessing.fit), x = (pixel / 255 - mean) / std per "
        "channel (BGR order); output: class probabilities (class_names)";
    job.check_dims = {3, s.input_channels, s.input_height, s.input_width};
    job.engine = [&model](const nn::Tensor& x) { return model->probabilities(x); };
    return nn::run_export_job(params, std::move(job), output);
  });
}

}  // namespace cvpipe::classify
