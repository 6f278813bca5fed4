// Command `train`: see train_command.hpp.
#include "train_command.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "cvpipe/nn/context.hpp"
#include "cvpipe/nn/curve_plot.hpp"
#include "cvpipe/nn/metrics_log.hpp"
#include "cvpipe/progress.hpp"
#include "gan_metrics.hpp"
#include "gan_trainer.hpp"
#include "model_file.hpp"
#include "sample_grid.hpp"

namespace cvpipe::gan {
namespace {

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int) { g_stop = 1; }

// Turns SIGINT/SIGTERM into a flag while training (restores the previous handlers after).
class SignalScope {
 public:
  SignalScope() {
    g_stop = 0;
    prev_int_ = std::signal(SIGINT, on_stop_signal);
    prev_term_ = std::signal(SIGTERM, on_stop_signal);
  }
  ~SignalScope() {
    std::signal(SIGINT, prev_int_);
    std::signal(SIGTERM, prev_term_);
  }

 private:
  void (*prev_int_)(int) = nullptr;
  void (*prev_term_)(int) = nullptr;
};

Status write_png(const std::filesystem::path& path, const cv::Mat& image) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const auto tmp = path.parent_path() / (".tmp_" + path.filename().string());
  if (!cv::imwrite(tmp.string(), image)) return Status::io("cannot write '" + path.string() + "'");
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::io("cannot write '" + path.string() + "': " + ec.message());
  return {};
}

std::filesystem::path resolve(const std::filesystem::path& p, const std::filesystem::path& base) {
  return p.is_absolute() || p.empty() ? p : base / p;
}

}  // namespace

std::vector<ParamSpec> train_params() {
  return {
      ParamSpec::path("data", std::string(), false, "digits.png (empty: $CVPIPE_DATA/digits.png)"),
      ParamSpec::path("model", std::string("models/gan_digits.safetensors"), false, "generator file to write"),
      ParamSpec::path("run_dir", std::string(), false,
                      "samples, curves, metrics and checkpoints (default: --out, else runs/gan_digits)"),
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
      ParamSpec::path("classifier", std::string(), false,
                      "digits classifier for periodic metrics (empty: none; needs the classify plugin)"),
      ParamSpec::integer("eval_n", 500, 10, 100000, "samples per periodic evaluation"),
      ParamSpec::integer("bn_calibration", 100, 0, 100000, "batches to recompute the generator's BatchNorm statistics"),
      ParamSpec::integer("threads", 0, 0, 1024, "compute threads (0: all cores); the command line's --threads overrides it"),
  };
}

Status run_train(const Params& p, const CommandContext& ctx, std::string& output) {
  return guard([&]() -> Status {
    const auto t0 = std::chrono::steady_clock::now();
    if (const int threads = ctx.threads > 0 ? ctx.threads : static_cast<int>(p.get_int("threads")); threads > 0)
      nn::set_num_threads(threads);
    std::error_code ec;
    const std::filesystem::path cwd = std::filesystem::current_path(ec);
    std::filesystem::path run_dir = p.get_string("run_dir");
    if (run_dir.empty()) run_dir = ctx.out_dir.empty() ? cwd / "runs" / "gan_digits" : ctx.out_dir;
    run_dir = resolve(run_dir, cwd);
    const std::filesystem::path model_path = resolve(p.get_string("model"), ctx.config_dir);

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
    const std::int64_t steps = p.get_int("steps");
    const std::int64_t sample_every = p.get_int("sample_every");
    const std::int64_t checkpoint_every = p.get_int("checkpoint_every");

    DigitsDataset data;
    const std::filesystem::path digits = p.get_string("data").empty() ? DigitsDataset::default_file()
                                                                       : std::filesystem::path(p.get_string("data"));
    CVPIPE_RETURN_IF_ERROR(DigitsDataset::load(digits, DigitsSplit::train(), arch.image_size, data, fit));

    std::unique_ptr<GanEvaluator> evaluator;
    if (!p.get_string("classifier").empty()) {
      const auto cls = locate_model(p.get_string("classifier"));
      if (!std::filesystem::exists(cls, ec) || !classifier_available()) {
        if (!ctx.quiet)
          std::fprintf(stderr, "gan train: warning: classifier '%s' %s: no periodic metrics\n", cls.string().c_str(),
                       classifier_available() ? "does not exist" : "needs the classify plugin");
      } else {
        CVPIPE_RETURN_IF_ERROR(GanEvaluator::create(cls, digits, evaluator));
      }
    }

    GanTrainer trainer(arch, opt, data);
    nn::MetricsLog log;
    const auto csv = run_dir / "metrics.csv";
    const auto ckpt = run_dir / "checkpoint.safetensors";
    if (!ctx.resume.empty()) {
      CVPIPE_RETURN_IF_ERROR(trainer.load_checkpoint(ctx.resume));
      if (std::filesystem::exists(csv, ec) && log.load(csv).ok()) log.truncate_after(trainer.steps_done());
      if (!ctx.quiet) std::fprintf(stderr, "gan train: resumed at step %lld\n", static_cast<long long>(trainer.steps_done()));
    }

    auto snapshot = [&](std::int64_t step) -> Status {
      // Samples and metrics from the EMA generator (what ships), eval mode, BatchNorm statistics
      // recomputed for it (running statistics do not influence training, which normalises by batch).
      trainer.use_ema_weights();
      trainer.recalibrate_bn(20, opt.seed + 1);
      Generator& g = trainer.generator();
      char name[64];
      std::snprintf(name, sizeof name, "step_%06lld.png", static_cast<long long>(step));
      CVPIPE_RETURN_IF_ERROR(write_png(run_dir / "samples" / name, class_grid(g, 10, 1234, 2)));
      if (evaluator) {
        GanMetrics m;
        CVPIPE_RETURN_IF_ERROR(evaluator->evaluate(g, static_cast<int>(p.get_int("eval_n")), 0, 0.0, 100, m));
        log.add(step, trainer.epoch(), opt.lr_g,
                {{"confidence", m.confidence}, {"class_accuracy", m.class_accuracy},
                 {"effective_classes", m.effective_classes}, {"frechet_distance", m.frechet_distance}});
      }
      trainer.restore_training_weights();
      g.train(true);
      CVPIPE_RETURN_IF_ERROR(log.write(csv));
      nn::PlotOptions po;
      po.title = "gan digits";
      po.panels = {{"d_loss", "g_loss"}, {"d_real", "d_fake"}};
      if (evaluator) {
        po.panels.push_back({"confidence", "class_accuracy"});
        po.panels.push_back({"frechet_distance"});
      }
      return nn::plot_curves(log, run_dir / "curves.png", po);
    };

    SignalScope signals;
    ProgressBar::Options po;
    po.enabled = ProgressBar::terminal_enabled(ctx.quiet);
    po.label = "gan train";
    po.total = steps;
    po.unit = "steps";
    ProgressBar bar(po);
    nn::Metrics avg;
    int avg_n = 0;
    const std::int64_t log_every = 50;
    bool interrupted = false;
    while (trainer.steps_done() < steps) {
      const nn::Metrics m = trainer.step();
      if (avg.empty()) avg = m;
      else for (std::size_t i = 0; i < m.size(); ++i) avg[i].second += m[i].second;
      ++avg_n;
      const std::int64_t s = trainer.steps_done();
      if (s % log_every == 0 || s == steps) {
        for (auto& kv : avg) kv.second /= avg_n;
        log.add(s, trainer.epoch(), opt.lr_g, avg);
        char text[96];
        std::snprintf(text, sizeof text, "D %.3f G %.3f D(x) %.2f D(G(z)) %.2f", avg[0].second, avg[1].second,
                      avg[2].second, avg[3].second);
        bar.update(s, text);
        if (!po.enabled && !ctx.quiet && s % (log_every * 10) == 0)
          std::fprintf(stderr, "gan train: step %lld/%lld %s\n", static_cast<long long>(s), static_cast<long long>(steps), text);
        avg.clear();
        avg_n = 0;
      }
      if (sample_every > 0 && s % sample_every == 0) CVPIPE_RETURN_IF_ERROR(snapshot(s));
      if (checkpoint_every > 0 && s % checkpoint_every == 0) CVPIPE_RETURN_IF_ERROR(trainer.save_checkpoint(ckpt));
      if (g_stop) {
        interrupted = true;
        break;
      }
    }
    bar.finish();
    CVPIPE_RETURN_IF_ERROR(trainer.save_checkpoint(ckpt));
    if (interrupted) {
      (void)log.write(csv);
      return Status(StatusCode::cancelled, "stopped at step " + std::to_string(trainer.steps_done()) +
                                               "; checkpoint " + ckpt.string() + " (continue with --resume)");
    }
    if (sample_every == 0 || trainer.steps_done() % sample_every != 0) CVPIPE_RETURN_IF_ERROR(snapshot(trainer.steps_done()));

    // The shipped generator: EMA weights, BatchNorm statistics recomputed for them.
    trainer.use_ema_weights();
    trainer.recalibrate_bn(static_cast<int>(p.get_int("bn_calibration")), opt.seed + 1);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    GanMetrics final_metrics;
    const bool have_metrics = evaluator != nullptr;
    if (evaluator) CVPIPE_RETURN_IF_ERROR(evaluator->evaluate(trainer.generator(), 1000, 0, 0.0, 100, final_metrics));
    nlohmann::ordered_json training = {{"recipe", "gan train"},
                                       {"steps", trainer.steps_done()},
                                       {"batch", opt.batch},
                                       {"seconds", std::round(seconds)},
                                       {"threads", nn::num_threads()},
                                       {"dtype", p.get_string("dtype")},
                                       {"data", std::string("digits.png columns 0-49, 20x20 cells ") +
                                                    (fit == DigitFit::pad ? "padded" : "resized") + " to 32x32"}};
    if (have_metrics) training["metrics"] = nlohmann::json::parse(final_metrics.to_json());
    std::map<std::string, std::string> meta{{"training", training.dump()}};
    meta["preprocessing"] = nlohmann::json{{"polarity", "white_on_black"},
                                           {"range", "tanh [-1, 1] -> [0, 255]"},
                                           {"channels", 1},
                                           {"size", arch.image_size},
                                           {"fit", arch.fit},
                                           {"source", std::string("digits.png 20x20 cells, ") +
                                                          (fit == DigitFit::pad ? "centred on a black 32x32 canvas"
                                                                                : "INTER_LINEAR to 32x32")}}.dump();
    CVPIPE_RETURN_IF_ERROR(save_generator(model_path, trainer.generator(), default_class_names(arch.num_classes), meta));
    CVPIPE_RETURN_IF_ERROR(write_png(run_dir / "grid.png", class_grid(trainer.generator(), 10, 1234, 2)));
    nlohmann::ordered_json result = {{"model", model_path.string()},
                                     {"run_dir", run_dir.string()},
                                     {"steps", trainer.steps_done()},
                                     {"seconds", std::round(seconds * 10) / 10}};
    if (have_metrics) result["metrics"] = nlohmann::json::parse(final_metrics.to_json());
    output = result.dump();
    return {};
  });
}

}  // namespace cvpipe::gan
