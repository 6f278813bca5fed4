// Trainer: the training loop every model plugin uses; a plugin supplies data, networks and a step
// function. It runs the step for a number of steps (or epochs), sets learning rates from
// schedules (one or several optimizers: a GAN registers its D and G optimizers and makes both
// updates in one step), averages and logs metrics (metrics.csv + curves.png), calls an evaluation
// function and periodic hooks (sample grids ...), keeps weight moving averages (add_ema), shows a
// progress line, writes atomic checkpoints and resumes from them exactly. When the stop token
// (TrainerOptions::stop, the CLI's Ctrl-C flag) or request_stop() is set, it finishes the current
// step, writes a checkpoint and returns `interrupted` (the CLI exits with 130). nn installs no
// signal handler.
//
// Checkpoint (one safetensors file, default <out_dir>/checkpoint.safetensors): every registered
// network's parameters and buffers ("<prefix>.<name>"), every optimizer's state
// ("<prefix>.<i>.exp_avg" ...), every moving average ("<prefix>.<i>"), and in __metadata__:
// "cvpipe.checkpoint" = "1", "step", "epoch", the trainer Rng ("rng"), each loader's position, user
// metadata and anything the save hook adds. Resuming restores all of it, truncates the metrics CSV
// to the checkpoint's step, and continues with bit-identical results for the same thread count
// (layer-internal random state such as Dropout's call counter is not captured).
//
// Data-parallel training (docs/scale-out.md): started as N ranks (mpirun -np N, distributed.hpp),
// every rank runs the same loop on its part of every global batch: each registered loader yields
// part `rank` of N of the batch one process would get (the batch size is the global batch and must
// divide by N), every optimizer averages the gradients across ranks before its update (bucketed
// allreduce), and rank 0's weights are broadcast when run() starts, so the ranks stay identical.
// Step metrics are averaged across ranks; rank 0 decides stops (signal, request_stop, time limit)
// and the learning rates of time-based schedules. BatchNorm-style buffers use each rank's own batch
// statistics while training; their running values are averaged across ranks before every
// evaluation and checkpoint. Rank 0 alone evaluates, runs hooks, writes metrics, curves and
// checkpoints and shows progress. Checkpoints do not depend on N: --resume works with any N.
//
// Steps are 0-based: the step function receives the index of the step it performs; step() after
// run() is the number of completed steps. Epoch = step / steps_per_epoch.
// Threading: run() on one thread; request_stop() and the stop token may be set from any thread or
// a signal handler.
//
// A model plugin's training command is then:
//   DataLoader loader(dataset, {.batch_size = 64, .seed = seed});
//   Sgd opt(net.parameters(), {.lr = 0.01, .momentum = 0.9});
//   Trainer t(with_command(ctx, {.epochs = 10, .name = "classify", .seed = seed}));
//   t.add_module("model", net);  t.add_optimizer("optim", opt, cosine_lr(0.01, total));
//   t.add_loader("train", loader);
//   t.set_step([&](const StepContext&) {
//     Batch b = loader.next();  opt.zero_grad();
//     Tensor y = net.forward(b.images);  LossResult l = cross_entropy(y, b.labels);
//     net.backward(l.grad);  opt.step();  return Metrics{{"loss", l.loss}};
//   });
//   t.set_eval([&](const StepContext&) { net.eval(); ...; net.train(); return Metrics{{"val_acc", acc}}; });
//   if (!resume_path.empty()) CVPIPE_RETURN_IF_ERROR(t.resume(resume_path));
//   TrainResult r = t.run();   // r.status(): ok, cancelled (interrupted) or the failure
#pragma once
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cvpipe/nn/data_loader.hpp"
#include "cvpipe/nn/distributed.hpp"
#include "cvpipe/nn/ema.hpp"
#include "cvpipe/nn/layer.hpp"
#include "cvpipe/nn/metrics_log.hpp"
#include "cvpipe/nn/optim.hpp"
#include "cvpipe/nn/random.hpp"
#include "cvpipe/nn/safetensors.hpp"
#include "cvpipe/nn/schedule.hpp"
#include "cvpipe/plugin.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::nn {

struct TrainerOptions {
  std::int64_t steps = 0;            // total steps; when 0, epochs * steps_per_epoch
  std::int64_t epochs = 0;
  std::int64_t steps_per_epoch = 0;  // 0: the first registered loader's batches_per_epoch()
  std::int64_t log_every = 10;       // a CSV row with the mean of the step metrics every N steps
  std::int64_t eval_every = 0;       // 0: every epoch end when epochs are known; always at the end
  std::int64_t checkpoint_every = 0; // 0: only at the end and on interruption
  std::filesystem::path out_dir{};   // metrics.csv, curves.png, checkpoint.safetensors; empty: none
  std::filesystem::path checkpoint_path{};  // default <out_dir>/checkpoint.safetensors
  std::string name = "train";        // progress-line label and curve title
  bool quiet = false;                // no progress line, no eval lines
  bool force_progress = false;       // progress line even when stderr is not a terminal
  bool write_curves = true;
  std::vector<std::vector<std::string>> plot_panels{};  // curves.png panels (empty: losses, then the rest)
  const std::atomic<bool>* stop = nullptr;  // stop token: when true, checkpoint and return interrupted
  double time_limit_s = 0.0;         // > 0: after this many seconds of run(), stop, evaluate, checkpoint
                                     // and return completed with stopped_by_time_limit
  std::uint64_t seed = 0;            // seeds the trainer Rng handed to step/eval functions
};

struct StepContext {
  std::int64_t step = 0;   // 0-based index of this step
  std::int64_t epoch = 0;
  double lr = 0.0;         // the first optimizer's lr for this step
  Rng* rng = nullptr;      // the trainer's Rng (checkpointed)
};

enum class TrainOutcome { completed, interrupted, failed };

struct TrainResult {
  TrainOutcome outcome = TrainOutcome::completed;
  Status status{};           // failure reason (ok otherwise)
  std::int64_t steps = 0;    // steps completed in total (including before a resume)
  std::int64_t steps_run = 0;  // steps run by this call
  double seconds = 0.0;
  double step_seconds = 0.0; // of which in step functions (gradient averaging included; no evaluation,
                             // hooks or checkpoints): steps_run / step_seconds is the training throughput
  Metrics last_train{};      // last logged (averaged) training metrics
  Metrics last_eval{};
  std::filesystem::path checkpoint{};  // last checkpoint written (empty if none)
  bool stopped_by_time_limit = false;  // completed early: TrainerOptions::time_limit_s ran out
  int ranks = 1;                       // processes of a data-parallel run
  double allreduce_seconds = 0.0;      // time spent averaging gradients (all optimizers)
  std::size_t allreduce_bytes = 0;     // gradient bytes averaged per step (all optimizers)
  bool ok() const { return outcome != TrainOutcome::failed; }
  // ok when completed; cancelled (naming the checkpoint to resume from) when interrupted; else the failure.
  Status to_status() const;
};

class Trainer {
 public:
  using StepFn = std::function<Metrics(const StepContext&)>;
  using SaveHook = std::function<void(SafeTensors&)>;
  using LoadHook = std::function<Status(const SafeTensors&)>;
  using Hook = std::function<Status(const StepContext&)>;

  explicit Trainer(TrainerOptions options);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Registration (before resume()/run()). Prefixes must be unique and non-empty, without dots.
  void add_module(const std::string& prefix, Layer& net);
  void add_optimizer(const std::string& prefix, Optimizer& optimizer, LrSchedulePtr schedule = nullptr);
  void add_loader(const std::string& name, DataLoader& loader);
  // A moving average of some network's weights: updated after every step, checkpointed.
  void add_ema(const std::string& prefix, WeightEma& ema);
  // Calls `hook` after every `every_n` steps and after the last step (every_n 0: only after the
  // last), with the index of the next step; an error stops training (failed). Sample grids,
  // snapshots ... A hook that applies a moving average restores it before returning (ApplyScope).
  void add_hook(std::int64_t every_n, Hook hook);
  void set_step(StepFn fn) { step_fn_ = std::move(fn); }
  void set_eval(StepFn fn) { eval_fn_ = std::move(fn); }
  void set_hooks(SaveHook save, LoadHook load) {
    save_hook_ = std::move(save);
    load_hook_ = std::move(load);
  }
  // Extra metadata stored in every checkpoint (e.g. the architecture JSON).
  void set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }

  // Restores a checkpoint written by this trainer setup. Everything is validated before anything
  // changes; errors name the file.
  Status resume(const std::filesystem::path& checkpoint);
  TrainResult run();
  Status save_checkpoint(const std::filesystem::path& path);
  // Asks run() to stop after the current step (checkpoint + interrupted). Async-signal-safe.
  void request_stop() { stop_requested_.store(true); }

  std::int64_t step() const { return step_; }
  std::int64_t total_steps() const;
  std::int64_t steps_per_epoch() const;
  Rng& rng() { return rng_; }
  const MetricsLog& metrics() const { return log_; }
  const TrainerOptions& options() const { return options_; }
  std::filesystem::path checkpoint_path() const;

 private:
  struct ModuleEntry {
    std::string prefix;
    Layer* net;
  };
  struct OptimizerEntry {
    std::string prefix;
    Optimizer* opt;
    LrSchedulePtr schedule;
  };
  struct LoaderEntry {
    std::string name;
    DataLoader* loader;
  };
  struct EmaEntry {
    std::string prefix;
    WeightEma* ema;
  };
  struct HookEntry {
    std::int64_t every;
    Hook fn;
  };

  void check_prefix(const std::string& prefix) const;
  std::int64_t epoch_of(std::int64_t step) const;
  void write_outputs(bool curves);
  Metrics evaluate(std::int64_t step);
  // Data parallel: shards the loaders, hooks the optimizers, broadcasts rank 0's weights.
  Status start_data_parallel();
  void average_buffers();
  // True on the rank that evaluates and writes (rank 0; the only rank without MPI).
  bool writer() const { return dist::rank() == 0; }

  TrainerOptions options_;
  std::vector<ModuleEntry> modules_;
  std::vector<OptimizerEntry> optimizers_;
  std::vector<LoaderEntry> loaders_;
  std::vector<EmaEntry> emas_;
  std::vector<HookEntry> hooks_;
  StepFn step_fn_, eval_fn_;
  SaveHook save_hook_;
  LoadHook load_hook_;
  std::map<std::string, std::string> metadata_;
  Rng rng_;
  std::int64_t step_ = 0;
  MetricsLog log_;
  std::atomic<bool> stop_requested_{false};
  dist::GradientAverager averager_;
};

// `options` with what `cvpipe train` decided: the output folder (ctx.out_dir), quiet and the stop token.
TrainerOptions with_command(const CommandContext& ctx, TrainerOptions options);

}  // namespace cvpipe::nn
