// The shared training loop: steps, schedules, metrics, evaluation, progress, checkpoints, resume,
// signals. See trainer.hpp.
#include "cvpipe/nn/trainer.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

#include <fmt/format.h>

#include "cvpipe/nn/checkpoint.hpp"
#include "cvpipe/nn/curve_plot.hpp"
#include "cvpipe/progress.hpp"

namespace cvpipe::nn {
namespace {

// Running means of step metrics, in first-seen order.
class MetricMeans {
 public:
  void add(const Metrics& m) {
    for (const auto& [name, v] : m) {
      auto it = index_.find(name);
      if (it == index_.end()) {
        it = index_.emplace(name, sums_.size()).first;
        sums_.push_back({name, 0.0});
        counts_.push_back(0);
      }
      sums_[it->second].second += v;
      ++counts_[it->second];
    }
  }
  Metrics means() const {
    Metrics out;
    for (std::size_t i = 0; i < sums_.size(); ++i)
      if (counts_[i]) out.emplace_back(sums_[i].first, sums_[i].second / static_cast<double>(counts_[i]));
    return out;
  }
  bool empty() const { return sums_.empty(); }
  void clear() {
    sums_.clear();
    counts_.clear();
    index_.clear();
  }

 private:
  Metrics sums_;
  std::vector<std::int64_t> counts_;
  std::map<std::string, std::size_t> index_;
};

std::string metrics_text(const Metrics& m, std::size_t max = 4) {
  std::string s;
  for (std::size_t i = 0; i < m.size() && i < max; ++i) s += fmt::format("{}{} {:.4g}", i ? "  " : "", m[i].first, m[i].second);
  return s;
}

bool parse_i64(const std::map<std::string, std::string>& meta, const std::string& key, std::int64_t& out) {
  auto it = meta.find(key);
  if (it == meta.end()) return false;
  try {
    std::size_t used = 0;
    out = std::stoll(it->second, &used);
    return used == it->second.size();
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

Status TrainResult::to_status() const {
  switch (outcome) {
    case TrainOutcome::completed: return Status::success();
    case TrainOutcome::interrupted:
      return Status(StatusCode::cancelled, fmt::format("stopped at step {}; continue with --resume {}", steps,
                                                       checkpoint.empty() ? std::string("(no checkpoint: no output folder)") : checkpoint.string()));
    case TrainOutcome::failed: break;
  }
  return status;
}

TrainerOptions with_command(const CommandContext& ctx, TrainerOptions options) {
  options.out_dir = ctx.out_dir;
  options.quiet = options.quiet || ctx.quiet;
  options.stop = ctx.stop;
  return options;
}

Trainer::Trainer(TrainerOptions options) : options_(std::move(options)), rng_(options_.seed) {
  if (options_.steps < 0 || options_.epochs < 0 || options_.steps_per_epoch < 0)
    throw std::invalid_argument("Trainer: steps, epochs and steps_per_epoch must be >= 0");
  if (options_.log_every <= 0) options_.log_every = 1;
  if (!writer()) options_.quiet = true;
}

Status Trainer::start_data_parallel() {
  const auto n = static_cast<std::size_t>(dist::size());
  for (const auto& l : loaders_) {
    if (l.loader->options().batch_size % n != 0)
      return Status::invalid(fmt::format("{}: loader '{}': the batch size {} does not divide into {} ranks (use a multiple of {})",
                                         options_.name, l.name, l.loader->options().batch_size, n, n));
    if (l.loader->shard_count() != n) l.loader->set_shard(static_cast<std::size_t>(dist::rank()), n);
  }
  for (const auto& o : optimizers_)
    o.opt->set_gradient_hook([this](const std::vector<Parameter*>& params) { averager_.average(params); });
  for (const auto& m : modules_) dist::broadcast_module(*m.net);
  return Status::success();
}

void Trainer::average_buffers() {
  for (const auto& m : modules_) dist::average_buffers(*m.net);
}

Trainer::~Trainer() = default;

void Trainer::check_prefix(const std::string& prefix) const {
  if (prefix.empty() || prefix.find('.') != std::string::npos)
    throw std::invalid_argument(fmt::format("Trainer: prefix '{}' must be non-empty and without dots", prefix));
  for (const auto& m : modules_)
    if (m.prefix == prefix) throw std::invalid_argument(fmt::format("Trainer: prefix '{}' is used twice", prefix));
  for (const auto& o : optimizers_)
    if (o.prefix == prefix) throw std::invalid_argument(fmt::format("Trainer: prefix '{}' is used twice", prefix));
  for (const auto& e : emas_)
    if (e.prefix == prefix) throw std::invalid_argument(fmt::format("Trainer: prefix '{}' is used twice", prefix));
}

void Trainer::add_module(const std::string& prefix, Layer& net) {
  check_prefix(prefix);
  modules_.push_back({prefix, &net});
}

void Trainer::add_optimizer(const std::string& prefix, Optimizer& optimizer, LrSchedulePtr schedule) {
  check_prefix(prefix);
  optimizers_.push_back({prefix, &optimizer, std::move(schedule)});
}

void Trainer::add_loader(const std::string& name, DataLoader& loader) {
  if (name.empty()) throw std::invalid_argument("Trainer: loader name must be non-empty");
  for (const auto& l : loaders_)
    if (l.name == name) throw std::invalid_argument(fmt::format("Trainer: loader '{}' is added twice", name));
  loaders_.push_back({name, &loader});
}

void Trainer::add_ema(const std::string& prefix, WeightEma& ema) {
  check_prefix(prefix);
  emas_.push_back({prefix, &ema});
}

void Trainer::add_hook(std::int64_t every_n, Hook hook) {
  if (every_n < 0) throw std::invalid_argument("Trainer: a hook's period must be >= 0");
  hooks_.push_back({every_n, std::move(hook)});
}

std::int64_t Trainer::steps_per_epoch() const {
  if (options_.steps_per_epoch > 0) return options_.steps_per_epoch;
  if (!loaders_.empty()) return static_cast<std::int64_t>(loaders_.front().loader->batches_per_epoch());
  return 0;
}

std::int64_t Trainer::total_steps() const {
  if (options_.steps > 0) return options_.steps;
  return options_.epochs * steps_per_epoch();
}

std::int64_t Trainer::epoch_of(std::int64_t step) const {
  const std::int64_t spe = steps_per_epoch();
  return spe > 0 ? std::max<std::int64_t>(0, step) / spe : 0;
}

std::filesystem::path Trainer::checkpoint_path() const {
  if (!options_.checkpoint_path.empty()) return options_.checkpoint_path;
  if (!options_.out_dir.empty()) return options_.out_dir / "checkpoint.safetensors";
  return {};
}

Status Trainer::save_checkpoint(const std::filesystem::path& path) {
  SafeTensors st;
  st.metadata = metadata_;
  st.metadata["cvpipe.checkpoint"] = "1";
  st.metadata["step"] = std::to_string(step_);
  st.metadata["epoch"] = std::to_string(epoch_of(step_));
  st.metadata["total_steps"] = std::to_string(total_steps());
  st.metadata["rng"] = rng_state(rng_);
  for (const auto& l : loaders_) {
    st.metadata["loader." + l.name + ".epoch"] = std::to_string(l.loader->epoch());
    st.metadata["loader." + l.name + ".batch"] = std::to_string(l.loader->batch_index());
  }
  try {
    // The training weights, not an applied average.
    for (const auto& e : emas_) e.ema->restore();
    for (const auto& m : modules_) export_module(*m.net, st, m.prefix + ".");
    for (const auto& o : optimizers_) o.opt->export_state(st, o.prefix + ".");
    for (const auto& e : emas_) e.ema->export_state(st, e.prefix + ".");
    if (save_hook_) save_hook_(st);
  } catch (const std::exception& e) {
    return Status::runtime(fmt::format("{}: cannot assemble the checkpoint: {}", path.string(), e.what()));
  }
  return st.save(path);
}

Status Trainer::resume(const std::filesystem::path& path) {
  SafeTensors st;
  CVPIPE_RETURN_IF_ERROR(SafeTensors::load(path, st));
  const std::string label = path.string();
  if (st.metadata.count("cvpipe.checkpoint") == 0)
    return Status::invalid(fmt::format("{}: not a training checkpoint (no 'cvpipe.checkpoint' metadata)", label));
  std::int64_t step = 0;
  if (!parse_i64(st.metadata, "step", step) || step < 0)
    return Status::io(fmt::format("{}: missing or bad 'step' in the checkpoint metadata", label));
  Rng rng;
  auto rs = st.metadata.find("rng");
  if (rs == st.metadata.end() || !set_rng_state(rng, rs->second))
    return Status::io(fmt::format("{}: missing or bad 'rng' state in the checkpoint metadata", label));
  std::vector<std::pair<std::int64_t, std::int64_t>> positions;
  for (const auto& l : loaders_) {
    std::int64_t e = 0, b = 0;
    if (!parse_i64(st.metadata, "loader." + l.name + ".epoch", e) || !parse_i64(st.metadata, "loader." + l.name + ".batch", b) ||
        e < 0 || b < 0)
      return Status::invalid(fmt::format("{}: no position for loader '{}' in the checkpoint", label, l.name));
    positions.emplace_back(e, b);
  }
  // Validate every part before changing anything.
  for (const auto& m : modules_)
    CVPIPE_RETURN_IF_ERROR(import_module(st, *m.net, label, {.prefix = m.prefix + ".", .validate_only = true}));
  for (const auto& o : optimizers_) CVPIPE_RETURN_IF_ERROR(o.opt->check_state(st, o.prefix + ".", label));
  for (const auto& e : emas_) CVPIPE_RETURN_IF_ERROR(e.ema->check_state(st, e.prefix + ".", label));
  // Apply.
  for (const auto& e : emas_) e.ema->restore();
  for (const auto& m : modules_) CVPIPE_RETURN_IF_ERROR(import_module(st, *m.net, label, {.prefix = m.prefix + "."}));
  for (const auto& e : emas_) CVPIPE_RETURN_IF_ERROR(e.ema->import_state(st, e.prefix + ".", label));
  for (const auto& o : optimizers_) CVPIPE_RETURN_IF_ERROR(o.opt->import_state(st, o.prefix + ".", label));
  if (load_hook_) CVPIPE_RETURN_IF_ERROR(load_hook_(st));
  for (std::size_t i = 0; i < loaders_.size(); ++i)
    loaders_[i].loader->seek(positions[i].first, static_cast<std::size_t>(positions[i].second));
  rng_ = rng;
  step_ = step;
  log_.clear();
  if (!options_.out_dir.empty() && std::filesystem::exists(options_.out_dir / "metrics.csv")) {
    if (log_.load(options_.out_dir / "metrics.csv").ok()) log_.truncate_after(step_);
    else log_.clear();
  }
  return Status::success();
}

void Trainer::write_outputs(bool curves) {
  if (options_.out_dir.empty() || !writer()) return;
  // Output errors are reported once per kind but never stop training.
  const Status s = log_.write(options_.out_dir / "metrics.csv");
  if (!s.ok() && !options_.quiet) std::fprintf(stderr, "%s: warning: %s\n", options_.name.c_str(), s.message().c_str());
  if (curves && options_.write_curves) {
    const Status p = plot_curves(log_, options_.out_dir / "curves.png",
                                 {.title = options_.name, .width = 900, .panel_height = 320, .panels = options_.plot_panels});
    if (!p.ok() && !options_.quiet) std::fprintf(stderr, "%s: warning: %s\n", options_.name.c_str(), p.message().c_str());
  }
}

Metrics Trainer::evaluate(std::int64_t step) {
  StepContext ctx{step, epoch_of(step - 1), optimizers_.empty() ? 0.0 : optimizers_.front().opt->lr(), &rng_};
  return eval_fn_(ctx);
}

TrainResult Trainer::run() {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  TrainResult result;
  const std::int64_t total = total_steps();
  const std::int64_t start = step_;
  if (!step_fn_) {
    result.outcome = TrainOutcome::failed;
    result.status = Status::invalid(fmt::format("{}: no step function", options_.name));
    return result;
  }
  if (total <= 0) {
    result.outcome = TrainOutcome::failed;
    result.status = Status::invalid(fmt::format(
        "{}: nothing to train: set steps, or epochs with a loader or steps_per_epoch", options_.name));
    return result;
  }
  stop_requested_.store(false);
  result.ranks = dist::size();
  if (dist::distributed()) {
    if (Status s = start_data_parallel(); !s.ok()) {
      result.outcome = TrainOutcome::failed;
      result.status = std::move(s);
      return result;
    }
  }
  const bool show = !options_.quiet && (options_.force_progress || ProgressBar::terminal_enabled(false));
  ProgressBar bar({.enabled = show, .label = options_.name, .total = std::max<std::int64_t>(0, total - start), .unit = "steps",
                   .interval_s = 0.1, .delay_s = options_.force_progress ? 0.0 : 1.0, .out = stderr, .width = 0});
  const std::int64_t spe = steps_per_epoch();
  const bool epoch_eval = options_.eval_every == 0 && options_.steps == 0 && spe > 0;
  std::int64_t last_eval = -1;
  MetricMeans means;
  std::string last_text;
  auto last_csv = Clock::now() - std::chrono::seconds(2);

  auto fail = [&](Status s) {
    bar.finish();
    result.outcome = TrainOutcome::failed;
    result.status = std::move(s);
  };
  auto current_lr = [&] { return optimizers_.empty() ? 0.0 : optimizers_.front().opt->lr(); };
  auto log_train = [&] {
    if (means.empty()) return;
    result.last_train = means.means();
    log_.add(step_, epoch_of(step_ - 1), current_lr(), result.last_train);
    means.clear();
  };
  auto do_eval = [&]() -> bool {
    if (!eval_fn_ || last_eval == step_) return true;
    last_eval = step_;
    average_buffers();
    if (!writer()) return true;
    try {
      result.last_eval = evaluate(step_);
    } catch (const std::exception& e) {
      fail(Status::runtime(fmt::format("{}: evaluation at step {} failed: {}", options_.name, step_, e.what())));
      return false;
    }
    log_.add(step_, epoch_of(step_ - 1), current_lr(), result.last_eval);
    if (!options_.quiet) {
      bar.clear();
      std::fprintf(stderr, "%s: step %lld/%lld epoch %lld: %s\n", options_.name.c_str(), static_cast<long long>(step_),
                   static_cast<long long>(total), static_cast<long long>(epoch_of(step_ - 1)),
                   metrics_text(result.last_eval, 16).c_str());
    }
    write_outputs(true);
    return true;
  };
  auto checkpoint = [&]() -> bool {
    average_buffers();
    const auto path = checkpoint_path();
    if (path.empty() || !writer()) return true;
    const Status s = save_checkpoint(path);
    if (!s.ok()) {
      fail(s);
      return false;
    }
    result.checkpoint = path;
    return true;
  };

  bool interrupted = false;
  // Data parallel: rank 0's stop decisions and learning rates, sent to every rank each step.
  std::vector<double> control(2 + optimizers_.size());
  while (step_ < total) {
    bool stop_now = stop_requested_.load() || (options_.stop && options_.stop->load());
    bool time_up = options_.time_limit_s > 0 && std::chrono::duration<double>(Clock::now() - t0).count() > options_.time_limit_s;
    if (dist::distributed()) {
      control[0] = stop_now ? 1.0 : 0.0;
      control[1] = time_up ? 1.0 : 0.0;
      for (std::size_t i = 0; i < optimizers_.size(); ++i) {
        const auto& o = optimizers_[i];
        control[2 + i] = o.schedule ? o.schedule->lr(o.opt->steps()) : o.opt->lr();
      }
      dist::broadcast(control.data(), control.size());
      stop_now = control[0] != 0.0;
      time_up = control[1] != 0.0;
    }
    if (stop_now) {
      interrupted = true;
      break;
    }
    if (time_up) {
      result.stopped_by_time_limit = true;
      do_eval();  // a failure is recorded in result
      break;
    }
    for (std::size_t i = 0; i < optimizers_.size(); ++i) {
      const auto& o = optimizers_[i];
      if (dist::distributed()) o.opt->set_lr(control[2 + i]);
      else if (o.schedule) o.opt->set_lr(o.schedule->lr(o.opt->steps()));
    }
    StepContext ctx{step_, epoch_of(step_), current_lr(), &rng_};
    Metrics m;
    const auto step_start = Clock::now();
    try {
      m = step_fn_(ctx);
      result.step_seconds += std::chrono::duration<double>(Clock::now() - step_start).count();
    } catch (const std::exception& e) {
      fail(Status::runtime(fmt::format("{}: step {} failed: {}", options_.name, step_, e.what())));
      break;
    }
    if (dist::distributed()) {  // the mean over the global batch (every rank returns the same names)
      std::vector<double> values;
      for (const auto& kv : m) values.push_back(kv.second);
      dist::sum(values);
      for (std::size_t i = 0; i < m.size(); ++i) m[i].second = values[i] / dist::size();
    }
    bool finite = true;
    for (const auto& [name, v] : m)
      if (!std::isfinite(v) && name.find("loss") != std::string::npos) {
        fail(Status::runtime(fmt::format("{}: {} became {} at step {} (try a lower learning rate)", options_.name, name, v, step_)));
        finite = false;
        break;
      }
    if (!finite) break;
    means.add(m);
    for (const auto& e : emas_) e.ema->update(step_);
    ++step_;
    if (show) {
      last_text = fmt::format("step {}/{}  {}", step_, total, metrics_text(m));
      bar.update(step_ - start, last_text);
    }
    if (step_ % options_.log_every == 0 || step_ == total) {
      log_train();
      // The CSV is rewritten at most once a second here (always at evaluations and the end).
      if (Clock::now() - last_csv > std::chrono::seconds(1)) {
        write_outputs(false);
        last_csv = Clock::now();
      }
    }
    bool hook_failed = false;
    for (const auto& h : hooks_) {
      if (!writer()) break;
      if (!((h.every > 0 && step_ % h.every == 0) || step_ == total)) continue;
      StepContext hctx{step_, epoch_of(step_ - 1), current_lr(), &rng_};
      Status hs;
      try {
        hs = h.fn(hctx);
      } catch (const std::exception& e) {
        hs = Status::runtime(e.what());
      }
      if (!hs.ok()) {
        bar.clear();
        fail(Status(hs.code(), fmt::format("{}: at step {}: {}", options_.name, step_, hs.message())));
        hook_failed = true;
        break;
      }
    }
    if (hook_failed) break;
    const bool eval_due = (options_.eval_every > 0 && step_ % options_.eval_every == 0) ||
                          (epoch_eval && step_ % spe == 0) || step_ == total;
    if (eval_due && !do_eval()) break;
    if (options_.checkpoint_every > 0 && step_ % options_.checkpoint_every == 0 && step_ < total && !checkpoint()) break;
  }
  result.steps = step_;
  result.steps_run = step_ - start;
  result.allreduce_seconds = averager_.seconds();
  result.allreduce_bytes = averager_.calls() > 0 && result.steps_run > 0
                               ? static_cast<std::size_t>(static_cast<double>(averager_.bytes_per_call()) * static_cast<double>(averager_.calls()) /
                                                          static_cast<double>(result.steps_run))
                               : 0;
  if (result.outcome != TrainOutcome::failed) {
    log_train();
    write_outputs(true);
    if (checkpoint()) result.outcome = interrupted ? TrainOutcome::interrupted : TrainOutcome::completed;
    bar.finish(last_text);
    if (interrupted && !options_.quiet)
      std::fprintf(stderr, "%s: interrupted at step %lld; checkpoint %s\n", options_.name.c_str(), static_cast<long long>(step_),
                   result.checkpoint.empty() ? "not written (no output folder)" : result.checkpoint.c_str());
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return result;
}

}  // namespace cvpipe::nn
