// Command `export:onnx_graph` (cvpipe export): a model file made by `cvpipe import` (and perhaps
// fine-tuned) back to ONNX.
#include "cvpipe/nn/onnx.hpp"

namespace cvpipe::onnx_stage {

Status run_export(const Params& params, const CommandContext&, std::string& output) {
  return guard([&]() -> Status {
    nn::ExportJob job;
    CVPIPE_RETURN_IF_ERROR(nn::expect_architecture(params.get_string("model"), {nn::k_onnx_architecture}, job.info));
    nn::OnnxImport imported;
    CVPIPE_RETURN_IF_ERROR(nn::load_imported(params.get_string("model"), imported));
    job.members.push_back({"", imported.net.get()});
    job.options = imported.io;
    job.check_dims = imported.sample_dims;
    job.check_dims[0] = 1;
    return nn::run_export_job(params, std::move(job), output);
  });
}

}  // namespace cvpipe::onnx_stage
