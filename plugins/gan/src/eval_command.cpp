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
      ParamSpec::path("model", std::string("models/gan_digits.safetensors"), false, "generator file"),
      ParamSpec::path("classifier", std::string("models/classify_digits.safetensors"), false,
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
    if (ctx.threads > 0) nn::set_num_threads(ctx.threads);
    const auto model = locate_model(p.get_string("model"));
    const auto classifier = locate_model(p.get_string("classifier"));
    GeneratorFile file;
    CVPIPE_RETURN_IF_ERROR(load_generator(model, file));
    std::error_code ec;
    if (!std::filesystem::exists(classifier, ec))
      return Status::not_found("gan eval: classifier '" + classifier.string() +
                               "' does not exist (train it with cvpipe train configs/train/classify_digits.yaml)");
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
