// Command `eval`: see eval_command.hpp.
#include "eval_command.hpp"

#include <opencv2/imgcodecs.hpp>

#include "cvpipe/nn/context.hpp"
#include "gan_metrics.hpp"
#include "model_file.hpp"
#include "sample_grid.hpp"

namespace cvpipe::gan {

std::vector<ParamSpec> eval_params() {
  return {
      ParamSpec::model("model", "models/gan_digits.safetensors", "generator model file"),
      ParamSpec::model("classifier", "models/classify_digits.safetensors",
                      "digits classifier (classify plugin model)"),
      ParamSpec::integer("n", 1000, 10, 1000000, "samples per set (conditional and unconditional)"),
      ParamSpec::integer("seed", 0, 0, 2147483647, "latent seed"),
      ParamSpec::number("truncation", 0.0, 0.0, 10.0, "truncation of the latents (0 = off)"),
      ParamSpec::integer("batch", 100, 1, 4096, "images per network call"),
      ParamSpec::path("data", std::string(), false, "digits.png for the real test split (empty: $CVPIPE_DATA/digits.png)"),
      ParamSpec::path("grid", std::string(), false, "also write a per-class sample grid PNG here"),
  };
}

Status run_eval(const Params& p, const CommandContext& ctx, std::string& output) {
  return guard([&]() -> Status {
    const std::filesystem::path model = p.get_string("model"), classifier = p.get_string("classifier");  // found by the host
    GeneratorFile file;
    CVPIPE_RETURN_IF_ERROR(load_generator(model, file));
    std::unique_ptr<GanEvaluator> evaluator;
    CVPIPE_RETURN_IF_ERROR(GanEvaluator::create(classifier, p.get_string("data"), evaluator));
    GanMetrics m;
    CVPIPE_RETURN_IF_ERROR(evaluator->evaluate(*file.generator, static_cast<int>(p.get_int("n")),
                                               static_cast<std::uint64_t>(p.get_int("seed")), p.get_number("truncation"),
                                               static_cast<int>(p.get_int("batch")), m));
    if (const std::string& grid = p.get_string("grid"); !grid.empty()) {
      const cv::Mat sheet = class_grid(*file.generator, 10, static_cast<std::uint64_t>(p.get_int("seed")), 2,
                                       p.get_number("truncation"));
      if (!cv::imwrite(grid, sheet)) return Status::io("gan eval: cannot write grid '" + grid + "'");
    }
    output = m.to_json();
    return {};
  });
}

}  // namespace cvpipe::gan
