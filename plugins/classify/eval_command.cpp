// Command `eval` (see eval_command.hpp).
#include "eval_command.hpp"

#include "cvpipe/classify/classifier.hpp"
#include "cvpipe/classify/dataset.hpp"
#include "cvpipe/nn/context.hpp"
#include "cvpipe/nn/distributed.hpp"
#include "evaluation.hpp"

namespace cvpipe::classify {

std::vector<ParamSpec> eval_params() {
  return {
      ParamSpec::model("model", kDefaultModel, "classify model (.safetensors); default: the shipped model"),
      ParamSpec::choice("dataset", "digits", {"digits", "folder"}, "evaluation data: digits.png or an ImageFolder tree"),
      ParamSpec::path("data", std::string(), false, "digits: digits.png (default: $CVPIPE_DATA/digits.png); folder: the root"),
      ParamSpec::choice("split", "test", {"train", "test", "all"}, "which split to evaluate"),
      ParamSpec::choice("prepare", "none", {"none", "auto"},
                        "none: images as in training; auto: the stage's domain mapping (polarity, ink crop) first"),
      ParamSpec::path("plot", std::string(), false, "write a confusion-matrix PNG here"),
      ParamSpec::integer("limit_per_class", 0, 0, 1e9, "evaluate at most N images per class (0: all)"),
      ParamSpec::integer("batch", 256, 1, 65536, "images per network batch"),
  };
}

namespace {

Status eval_impl(const Params& p, const CommandContext& ctx, std::string& output) {
  const std::filesystem::path file = p.get_string("model");  // found by the host
  std::unique_ptr<Classifier> model;
  CVPIPE_RETURN_IF_ERROR(Classifier::load(file, model));
  model->set_max_batch(static_cast<int>(p.get_int("batch")));
  Split split;
  CVPIPE_RETURN_IF_ERROR(parse_split(p.get_string("split"), split));
  LabeledImages data;
  CVPIPE_RETURN_IF_ERROR(
      load_dataset(p.get_string("dataset"), p.get_string("data"), split, model->spec().input_channels == 3, data));
  if (p.get_int("limit_per_class") > 0) data.limit_per_class(static_cast<int>(p.get_int("limit_per_class")));
  const InputMode mode = p.get_string("prepare") == "auto" ? InputMode::automatic : InputMode::prepared;
  EvalResult r;
  CVPIPE_RETURN_IF_ERROR(evaluate_sharded(*model, data, mode, r));
  if (!p.get_string("plot").empty() && nn::dist::rank() == 0)
    CVPIPE_RETURN_IF_ERROR(write_confusion_png(r, file.filename().string() + " on " + data.description, p.get_string("plot")));
  output = eval_json(r, file.string(), data.description);
  return {};
}

}  // namespace

Status run_eval(const Params& params, const CommandContext& ctx, std::string& output) {
  return guard([&] { return eval_impl(params, ctx, output); });
}

}  // namespace cvpipe::classify
