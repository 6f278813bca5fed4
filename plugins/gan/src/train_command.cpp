// Command `train`: see train_command.hpp.
#include "train_command.hpp"

#include <cmath>
#include <cstdio>
#include <optional>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "cvpipe/nn/trainer.hpp"
#include "gan_metrics.hpp"
#include "gan_model.hpp"
#include "model_file.hpp"
#include "sample_grid.hpp"

namespace cvpipe::gan {
namespace {

Status write_png(const std::filesystem::path& path, const cv::Mat& image) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const auto tmp = path.parent_path() / (".tmp_" + path.filename().string());
  if (!cv::imwrite(tmp.string(), image)) return Status::io("cannot write '" + path.string() + "'");
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::io("cannot write '" + path.string() + "': " + ec.message());
  return {};
}

}  // namespace

std::vector<ParamSpec> train_params() {
  return {
      ParamSpec::path("data", std::string(), false, "digits.png (empty: $CVPIPE_DATA/digits.png)"),
      ParamSpec::path("model", std::string(), false, "generator file to write (default: <out>/model.safetensors)"),
      ParamSpec::path("out", std::string(), false,
                      "samples, curves, metrics and checkpoints (--out wins; default: runs/<recipe name>)"),
      ParamSpec::integer("steps", 6000, 1, 10000000, "training iterations (one D and one G update each)"),
      ParamSpec::integer("batch", 64, 2, 4096, "batch size"),
      ParamSpec::number("lr_g", 2e-4, 0.0, 1.0, "generator Adam learning rate"),
      ParamSpec::number("lr_d", 2e-4, 0.0, 1.0, "discriminator Adam learning rate"),
      ParamSpec::number("beta1", 0.5, 0.0, 0.9999, "Adam beta1"),
      ParamSpec::number("beta2", 0.999, 0.0, 0.99999, "Adam beta2"),
      ParamSpec::number("real_label", 0.9, 0.5, 1.0, "discriminator target for real images (one-sided label smoothing)"),
      ParamSpec::number("ema_decay", 0.999, 0.0, 0.99999, "EMA of generator weights (0 = off); the model ships the EMA"),
      ParamSpec::choice("fit", "pad", {"pad", "resize"},
                        "20x20 cells into 32x32: pad (centred on black, pixels untouched) or resize"),
      ParamSpec::integer("z_dim", 100, 1, 4096, "latent size"),
      ParamSpec::integer("g_channels", 128, 8, 2048, "generator channels after the first deconvolution"),
      ParamSpec::integer("d_channels", 32, 2, 1024, "discriminator channels of the first convolution"),
      ParamSpec::choice("d_conditioning", "projection", {"projection", "concat", "both"},
                        "how the discriminator sees the class"),
      ParamSpec::integer("seed", 0, 0, 2147483647, "seed of initialisation, shuffling and latents"),
      ParamSpec::choice("dtype", "f32", {"f32", "bf16"}, "compute type (bf16: AMX; master weights stay f32)"),
      ParamSpec::integer("sample_every", 500, 0, 10000000, "steps between sample grids / curves (0 = only at the end)"),
      ParamSpec::integer("checkpoint_every", 1000, 0, 10000000, "steps between checkpoints (0 = only at the end)"),
      ParamSpec::model("classifier", "",
                      "digits classifier for periodic metrics (empty: none; needs the classify plugin)"),
      ParamSpec::integer("eval_n", 500, 10, 100000, "samples per periodic evaluation"),
      ParamSpec::integer("bn_calibration", 100, 0, 100000, "batches to recompute the generator's BatchNorm statistics"),
      ParamSpec::integer("threads", 0, 0, 1024, "compute threads (0: all cores; --threads wins)"),
  };
}

Status run_train(const Params& p, const CommandContext& ctx, std::string& output) {
  return guard([&]() -> Status {
    const std::filesystem::path& out_dir = ctx.out_dir;
    const std::filesystem::path model_path = p.get_string("model");

    // --- the network description
    GanArch arch;
    arch.z_dim = static_cast<int>(p.get_int("z_dim"));
    arch.g_channels = static_cast<int>(p.get_int("g_channels"));
    arch.d_channels = static_cast<int>(p.get_int("d_channels"));
    parse_conditioning(p.get_string("d_conditioning"), arch.d_conditioning);
    arch.fit = p.get_string("fit");
    DigitFit fit = DigitFit::pad;
    parse_fit(arch.fit, fit);
    CVPIPE_RETURN_IF_ERROR(arch.validate());

    TrainOptions opt;
    opt.batch = static_cast<int>(p.get_int("batch"));
    opt.lr_g = p.get_number("lr_g");
    opt.lr_d = p.get_number("lr_d");
    opt.beta1 = p.get_number("beta1");
    opt.beta2 = p.get_number("beta2");
    opt.real_label = static_cast<float>(p.get_number("real_label"));
    opt.ema_decay = p.get_number("ema_decay");
    opt.seed = static_cast<std::uint64_t>(p.get_int("seed"));
    opt.dtype = p.get_string("dtype") == "bf16" ? nn::DType::bf16 : nn::DType::f32;

    // --- data
    auto data = std::make_shared<DigitsDataset>();
    const std::filesystem::path digits = p.get_string("data").empty() ? DigitsDataset::default_file()
                                                                       : std::filesystem::path(p.get_string("data"));
    CVPIPE_RETURN_IF_ERROR(DigitsDataset::load(digits, DigitsSplit::train(), arch.image_size, *data, fit));
    if (data->size() < static_cast<std::size_t>(opt.batch))
      return Status::invalid("gan train: batch " + std::to_string(opt.batch) + " is larger than the dataset (" +
                             std::to_string(data->size()) + " images)");
    nn::DataLoader loader(as_nn_dataset(data), {.batch_size = static_cast<std::size_t>(opt.batch), .seed = opt.seed});

    std::unique_ptr<GanEvaluator> evaluator;
    if (const std::string& cls = p.get_string("classifier"); !cls.empty()) {
      if (!classifier_available()) return Status::unsupported("gan train: 'classifier' needs the gan plugin built with the classify plugin");
      CVPIPE_RETURN_IF_ERROR(GanEvaluator::create(cls, digits, evaluator));
    }

    // --- the network and the step on nn::Trainer
    GanModel model(arch, opt);
    nn::TrainerOptions to;
    to.steps = p.get_int("steps");
    to.log_every = 50;
    to.eval_every = p.get_int("sample_every");
    to.checkpoint_every = p.get_int("checkpoint_every");
    to.name = "gan train";
    to.seed = opt.seed;
    to.plot_panels = {{"d_loss", "g_loss"}, {"d_real", "d_fake"}};
    if (evaluator) {
      to.plot_panels.push_back({"confidence", "class_accuracy"});
      to.plot_panels.push_back({"frechet_distance"});
    }
    nn::Trainer trainer(nn::with_command(ctx, to));
    model.attach(trainer);
    trainer.add_loader("real", loader);
    trainer.set_metadata("gan.arch", arch.to_json());
    trainer.set_step([&](const nn::StepContext& s) { return model.step(loader.next(), s.step); });
    // Samples and metrics come from the EMA generator (what ships), in eval mode, with BatchNorm
    // statistics recomputed for it (running statistics do not influence training, which
    // normalises by batch).
    const auto with_shipped_generator = [&](auto&& fn) {
      std::optional<nn::WeightEma::ApplyScope> use;
      if (model.ema()) use.emplace(*model.ema());
      model.recalibrate_bn(20, opt.seed + 1);
      auto result = fn(model.generator());
      model.generator().train(true);
      return result;
    };
    const auto eval_n = static_cast<int>(p.get_int("eval_n"));
    trainer.add_hook(p.get_int("sample_every"), [&](const nn::StepContext& s) {
      return with_shipped_generator([&](Generator& g) {
        char name[64];
        std::snprintf(name, sizeof name, "step_%06lld.png", static_cast<long long>(s.step));
        return write_png(out_dir / "samples" / name, class_grid(g, 10, 1234, 2));
      });
    });
    if (evaluator)
      trainer.set_eval([&](const nn::StepContext&) {
        return with_shipped_generator([&](Generator& g) {
          GanMetrics m;
          const Status st = evaluator->evaluate(g, eval_n, 0, 0.0, 100, m);
          if (!st.ok()) throw std::runtime_error(st.message());
          return nn::Metrics{{"confidence", m.confidence}, {"class_accuracy", m.class_accuracy},
                             {"effective_classes", m.effective_classes}, {"frechet_distance", m.frechet_distance}};
        });
      });
    if (!ctx.resume.empty()) CVPIPE_RETURN_IF_ERROR(trainer.resume(ctx.resume));
    const nn::TrainResult result = trainer.run();
    CVPIPE_RETURN_IF_ERROR(result.to_status());
    if (nn::dist::rank() != 0) return Status{};  // data-parallel training: rank 0 writes the model

    // --- the shipped generator: EMA weights, BatchNorm statistics recomputed for them
    if (model.ema()) model.ema()->apply();
    model.recalibrate_bn(static_cast<int>(p.get_int("bn_calibration")), opt.seed + 1);
    GanMetrics final_metrics;
    if (evaluator) CVPIPE_RETURN_IF_ERROR(evaluator->evaluate(model.generator(), 1000, 0, 0.0, 100, final_metrics));
    nlohmann::ordered_json training = {{"steps", result.steps},
                                       {"batch", opt.batch},
                                       {"seconds", std::round(result.seconds)},
                                       {"dtype", p.get_string("dtype")},
                                       {"data", std::string("digits.png columns 0-49, 20x20 cells ") +
                                                    (fit == DigitFit::pad ? "padded" : "resized") + " to 32x32"}};
    if (evaluator) training["metrics"] = nlohmann::json::parse(final_metrics.to_json());
    nn::ModelInfo info = nn::trained_by(p, ctx);
    info.extra["training"] = training.dump();
    info.preprocessing = nlohmann::json{{"polarity", "white_on_black"},
                                        {"range", "tanh [-1, 1] -> [0, 255]"},
                                        {"channels", 1},
                                        {"size", arch.image_size},
                                        {"fit", arch.fit},
                                        {"source", std::string("digits.png 20x20 cells, ") +
                                                       (fit == DigitFit::pad ? "centred on a black 32x32 canvas"
                                                                             : "INTER_LINEAR to 32x32")}}.dump();
    CVPIPE_RETURN_IF_ERROR(save_generator(model_path, model.generator(), default_class_names(arch.num_classes), info));
    CVPIPE_RETURN_IF_ERROR(write_png(out_dir / "grid.png", class_grid(model.generator(), 10, 1234, 2)));
    nlohmann::ordered_json j = {{"model", model_path.string()},
                                {"out", out_dir.string()},
                                {"steps", result.steps},
                                {"seconds", std::round(result.seconds * 10) / 10}};
    for (const auto& [k, v] : result.last_train) j["last_train"][k] = v;
    if (evaluator) j["metrics"] = nlohmann::json::parse(final_metrics.to_json());
    output = j.dump();
    return {};
  });
}

}  // namespace cvpipe::gan
