// Command `train` (see train_command.hpp).
#include "train_command.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "architectures.hpp"
#include "augment.hpp"
#include "cvpipe/classify/dataset.hpp"
#include "cvpipe/classify/preprocess.hpp"
#include "cvpipe/nn/checkpoint.hpp"
#include "cvpipe/nn/model_file.hpp"
#include "cvpipe/nn/context.hpp"
#include "cvpipe/nn/data_loader.hpp"
#include "cvpipe/nn/data_convert.hpp"
#include "cvpipe/nn/loss.hpp"
#include "cvpipe/nn/optim.hpp"
#include "cvpipe/nn/schedule.hpp"
#include "cvpipe/nn/trainer.hpp"
#include "evaluation.hpp"

namespace cvpipe::classify {

namespace fs = std::filesystem;

std::vector<ParamSpec> train_params() {
  return {
      ParamSpec::choice("dataset", "digits", {"digits", "folder"}, "training data: digits.png or an ImageFolder tree"),
      ParamSpec::path("data", std::string(), false,
                      "digits: digits.png (default: $CVPIPE_DATA/digits.png); folder: the dataset root"),
      ParamSpec::choice("arch", "cnn", {"cnn", "lenet"}, "network: cnn (BN, dropout) or lenet (LeNet-5 pattern)"),
      ParamSpec::integer("width", 32, 4, 256, "cnn: channels of the first block (x2, x4 deeper)"),
      ParamSpec::number("dropout", 0.3, 0.0, 0.95, "cnn: dropout before the classifier layer"),
      ParamSpec::integer("input_size", 20, 8, 512, "network input width and height in pixels"),
      ParamSpec::integer("channels", 1, 1, 3, "network input channels: 1 (gray) or 3 (BGR)"),
      ParamSpec::choice("fit", "pad", {"pad", "resize", "letterbox"},
                        "how images reach the input size: pad (centre on black), resize (stretch), letterbox"),
      ParamSpec::choice("domain", "auto", {"auto", "digits", "image"},
                        "digits: map pictures to digit cells at inference; image: resize only; auto: digits for "
                        "the digits dataset, image for folders"),
      ParamSpec::integer("epochs", 30, 1, 100000, "passes over the training split"),
      ParamSpec::integer("batch", 64, 1, 4096, "batch size"),
      ParamSpec::number("lr", 0.05, 0.0, 10.0, "peak learning rate"),
      ParamSpec::choice("optimizer", "sgd", {"sgd", "adam", "adamw"}, "optimizer"),
      ParamSpec::number("momentum", 0.9, 0.0, 0.999, "sgd momentum"),
      ParamSpec::boolean("nesterov", true, "sgd: Nesterov momentum"),
      ParamSpec::number("weight_decay", 5e-4, 0.0, 1.0, "weight decay (not on biases and BN parameters)"),
      ParamSpec::choice("schedule", "cosine", {"cosine", "constant"}, "learning-rate schedule after the warm-up"),
      ParamSpec::number("warmup_epochs", 1.0, 0.0, 1000.0, "linear warm-up length in epochs"),
      ParamSpec::number("min_lr_factor", 0.01, 0.0, 1.0, "cosine: final lr = lr * min_lr_factor"),
      ParamSpec::number("label_smoothing", 0.0, 0.0, 0.5, "cross-entropy label smoothing"),
      ParamSpec::boolean("augment", true, "random affine (and elastic) warps of training images"),
      ParamSpec::number("rotate", 12.0, 0.0, 180.0, "augment: maximum rotation in degrees"),
      ParamSpec::number("scale", 0.12, 0.0, 0.9, "augment: scale in 1 +- scale"),
      ParamSpec::number("shear", 0.2, 0.0, 1.0, "augment: maximum horizontal shear factor"),
      ParamSpec::number("translate", 0.1, 0.0, 0.5, "augment: maximum shift as a fraction of the size"),
      ParamSpec::number("elastic", 0.0, 0.0, 20.0, "augment: maximum elastic displacement in pixels (0: off)"),
      ParamSpec::number("stroke", 0.0, 0.0, 1.0,
                        "augment: stroke-width change, a blend in +-stroke towards the 3x3 dilation / erosion (0: off)"),
      ParamSpec::integer("ensemble", 1, 1, kMaxMembers,
                         "networks to train (seeds seed, seed+1, ...) and ship in one file; their softmax outputs "
                         "are averaged"),
      ParamSpec::integer("seed", 0, 0, 1e15, "random seed (weights, shuffling, augmentation, dropout)"),
      ParamSpec::choice("dtype", "f32", {"f32", "bf16"}, "compute type (bf16 keeps f32 master weights)"),
      ParamSpec::integer("threads", 0, 0, 1024, "compute threads (0: all cores; --threads wins)"),
      ParamSpec::path("out", std::string(), false,
                      "output folder: metrics.csv, curves.png, checkpoint, confusion.png (--out wins; default: "
                      "runs/<recipe name>)"),
      ParamSpec::path("model", std::string(), false,
                      "where to write the trained model (default, and always with --out: <out>/model.safetensors)"),
      ParamSpec::integer("eval_every", 5, 0, 100000, "evaluate on the test split every N epochs (and at the end)"),
      ParamSpec::integer("checkpoint_every", 10, 0, 100000, "write a checkpoint every N epochs (0: only at the end)"),
      ParamSpec::integer("limit_per_class", 0, 0, 1e9, "use at most N training images per class (0: all)"),
      ParamSpec::integer("test_limit_per_class", 0, 0, 1e9, "use at most N test images per class (0: all)"),
  };
}

namespace {

using Clock = std::chrono::steady_clock;

struct Prepared {
  std::vector<cv::Mat> images;  // CV_32F HWC at the input size, in [0, 1]
  std::vector<int> labels;
};

Status prepare_all(const LabeledImages& d, const ModelSpec& spec, Prepared& out) {
  out.images.reserve(d.size());
  for (std::size_t i = 0; i < d.size(); ++i) {
    cv::Mat m;
    Status st = prepare_image(d.images[i], spec, InputMode::prepared, m);
    if (!st.ok()) return Status(st.code(), d.description + " sample " + std::to_string(i) + ": " + st.message());
    out.images.push_back(std::move(m));
  }
  out.labels = d.labels;
  return {};
}

cv::Mat normalise(const cv::Mat& unit, const ModelSpec& spec) {
  cv::Mat out;
  if (spec.input_channels == 1) {
    unit.convertTo(out, CV_32F, 1.0 / spec.std[0], -spec.mean[0] / spec.std[0]);
  } else {
    cv::Scalar m(spec.mean[0], spec.mean[1], spec.mean[2]), s(spec.std[0], spec.std[1], spec.std[2]);
    cv::subtract(unit, m, out);
    cv::divide(out, s, out);
  }
  return out;
}

// The test split as normalised batches, built once.
struct TestSet {
  std::vector<nn::Tensor> batches;
  std::vector<std::vector<int>> labels;
  std::int64_t n = 0;
};

TestSet make_test_set(const Prepared& p, const ModelSpec& spec, std::size_t batch) {
  TestSet t;
  const std::size_t per = static_cast<std::size_t>(spec.input_channels) * spec.input_height * spec.input_width;
  for (std::size_t s = 0; s < p.images.size(); s += batch) {
    const std::size_t n = std::min(batch, p.images.size() - s);
    std::vector<float> buf(per * n);
    for (std::size_t i = 0; i < n; ++i) nn::hwc_to_chw(normalise(p.images[s + i], spec), buf.data() + per * i);
    t.batches.push_back(nn::Tensor::from_vector(
        {static_cast<std::int64_t>(n), spec.input_channels, spec.input_height, spec.input_width}, buf));
    t.labels.emplace_back(p.labels.begin() + static_cast<std::ptrdiff_t>(s), p.labels.begin() + static_cast<std::ptrdiff_t>(s + n));
    t.n += static_cast<std::int64_t>(n);
  }
  return t;
}

// One network's training run, with its own seed and run folder (metrics.csv, curves.png,
// checkpoints) and an optional checkpoint to resume from. `net` ends trained, in f32.
struct MemberRun {
  std::uint64_t seed = 0;
  fs::path out_dir;
  fs::path resume;
};

Status train_member(const Params& p, const CommandContext& ctx, const ModelSpec& spec,
                    const std::shared_ptr<const Prepared>& train, const TestSet& test_set, const MemberRun& run,
                    Network& net, nn::TrainResult& result) {
  const bool quiet = ctx.quiet;
  auto say = [&](const std::string& s) {
    if (!quiet) std::fprintf(stderr, "classify train: %s\n", s.c_str());
  };
  const std::uint64_t seed = run.seed;
  const fs::path& out_dir = run.out_dir;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return Status::io("cannot create output folder '" + out_dir.string() + "': " + ec.message());
  CVPIPE_RETURN_IF_ERROR(build_network(spec, seed, "train recipe", net));
  const bool bf16 = p.get_string("dtype") == "bf16";
  if (bf16) {
    if (!nn::bf16_supported()) say("warning: this CPU has no native bf16; training in bf16 anyway (slower than f32)");
    net.root->set_dtype(nn::DType::bf16);
  }
  nn::OptimizerSpec os;
  os.name = p.get_string("optimizer");
  os.lr = p.get_number("lr");
  os.momentum = p.get_number("momentum");
  os.nesterov = p.get_bool("nesterov") && os.momentum > 0;
  os.weight_decay = p.get_number("weight_decay");
  auto optimizer = nn::make_optimizer(os, net.root->parameters());

  AugmentOptions aug;
  if (p.get_bool("augment")) {
    aug.degrees = p.get_number("rotate");
    aug.scale = p.get_number("scale");
    aug.shear = p.get_number("shear");
    aug.translate = p.get_number("translate");
    aug.elastic = p.get_number("elastic");
    aug.stroke = p.get_number("stroke");
  } else {
    aug = AugmentOptions{0, 0, 0, 0, 0, 2.0};
  }
  const std::shared_ptr<const Prepared> shared_train = train;
  auto train_set = std::make_shared<nn::FunctionDataset>(
      shared_train->images.size(), [shared_train, aug, spec](std::size_t i, nn::Rng& rng) {
        nn::Sample s;
        const cv::Mat& img = shared_train->images[i];
        s.image = normalise(aug.enabled() ? augment_image(img, aug, rng) : img, spec);
        s.label = shared_train->labels[i];
        return s;
      });
  const auto batch = static_cast<std::size_t>(p.get_int("batch"));
  if (train_set->size() < batch)
    return Status::invalid(fmt::format("train recipe: batch {} is larger than the training set ({} images)", batch,
                                       train_set->size()));
  nn::LoaderOptions lo;
  lo.batch_size = batch;
  lo.shuffle = true;
  lo.drop_last = true;
  lo.seed = seed;
  lo.prefetch = 2;
  nn::DataLoader loader(train_set, lo);

  const std::int64_t epochs = p.get_int("epochs");
  const auto spe = static_cast<std::int64_t>(loader.batches_per_epoch());
  const std::int64_t total = epochs * spe;
  nn::ScheduleSpec ss;
  ss.kind = p.get_string("schedule");
  ss.base_lr = os.lr;
  ss.min_lr = os.lr * p.get_number("min_lr_factor");
  ss.total_steps = total;
  ss.warmup_steps = std::min<std::int64_t>(total - 1, static_cast<std::int64_t>(std::llround(p.get_number("warmup_epochs") * spe)));
  ss.warmup_start_factor = 0.1;
  const nn::LrSchedulePtr schedule = nn::make_schedule(ss);

  nn::TrainerOptions to = nn::with_command(ctx, {});
  to.epochs = epochs;
  to.steps_per_epoch = spe;
  to.log_every = std::max<std::int64_t>(1, spe / 4);
  to.eval_every = p.get_int("eval_every") > 0 ? p.get_int("eval_every") * spe : total;
  to.checkpoint_every = p.get_int("checkpoint_every") * spe;
  to.out_dir = out_dir;  // a member's folder
  to.name = "classify";
  to.seed = seed;
  nn::Trainer trainer(to);
  trainer.add_module("model", *net.root);
  trainer.add_optimizer("optim", *optimizer, schedule);
  trainer.add_loader("train", loader);
  for (const auto& [k, v] : spec.to_metadata()) trainer.set_metadata("classify." + k, v);

  const float smoothing = static_cast<float>(p.get_number("label_smoothing"));
  nn::Tensor grad_buf;
  trainer.set_step([&](const nn::StepContext&) -> nn::Metrics {
    nn::Batch b = loader.next();
    const nn::Tensor logits = net.root->forward(b.images);
    nn::LossResult r = nn::cross_entropy(logits, b.labels, {.label_smoothing = smoothing, .ignore_index = -100}, grad_buf);
    grad_buf = r.grad;
    const double acc = static_cast<double>(nn::count_correct(logits, b.labels)) / static_cast<double>(b.size());
    optimizer->zero_grad();
    net.root->backward(r.grad);
    optimizer->step();
    return {{"loss", r.loss}, {"train_acc", acc}};
  });
  trainer.set_eval([&](const nn::StepContext&) -> nn::Metrics {
    net.root->eval();
    double loss = 0;
    std::int64_t correct = 0;
    for (std::size_t i = 0; i < test_set.batches.size(); ++i) {
      const nn::Tensor logits = net.root->forward(test_set.batches[i]);
      loss += nn::cross_entropy(logits, test_set.labels[i]).loss * static_cast<double>(test_set.labels[i].size());
      correct += nn::count_correct(logits, test_set.labels[i]);
    }
    net.root->train();
    return {{"test_loss", loss / static_cast<double>(test_set.n)},
            {"test_acc", static_cast<double>(correct) / static_cast<double>(test_set.n)}};
  });

  if (!run.resume.empty()) {
    CVPIPE_RETURN_IF_ERROR(trainer.resume(run.resume));
    say(fmt::format("resumed from {} at step {}", run.resume.string(), trainer.step()));
  }
  result = trainer.run();
  CVPIPE_RETURN_IF_ERROR(result.to_status());
  net.root->set_dtype(nn::DType::f32);
  return {};
}

// A finished ensemble member of an earlier, interrupted run of the same recipe and seed (false when
// there is none or it does not match).
bool load_finished_member(const fs::path& file, const ModelSpec& spec, const std::string& recipe, std::uint64_t seed,
                          Network& net) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return false;
  nn::SafeTensors st;
  if (!nn::SafeTensors::load(file, st).ok()) return false;
  auto get = [&](const char* key) {
    const auto it = st.metadata.find(key);
    return it == st.metadata.end() ? std::string() : it->second;
  };
  if (get("recipe") != recipe || get("member_seed") != std::to_string(seed)) return false;
  return build_network(spec, seed, file.string(), net).ok() && nn::import_module(st, *net.root, file.string()).ok();
}

Status train_impl(const Params& p, const CommandContext& ctx, std::string& output) {
  const auto t_start = Clock::now();
  const bool quiet = ctx.quiet;
  auto say = [&](const std::string& s) {
    if (!quiet) std::fprintf(stderr, "classify train: %s\n", s.c_str());
  };
  // --- data
  const std::string dataset = p.get_string("dataset");
  const fs::path data_path = p.get_string("data");
  const int channels = static_cast<int>(p.get_int("channels"));
  LabeledImages train_raw, test_raw;
  CVPIPE_RETURN_IF_ERROR(load_dataset(dataset, data_path, Split::train, channels == 3, train_raw));
  CVPIPE_RETURN_IF_ERROR(load_dataset(dataset, data_path, Split::test, channels == 3, test_raw));
  if (p.get_int("limit_per_class") > 0) train_raw.limit_per_class(static_cast<int>(p.get_int("limit_per_class")));
  if (p.get_int("test_limit_per_class") > 0) test_raw.limit_per_class(static_cast<int>(p.get_int("test_limit_per_class")));

  // --- model description
  ModelSpec spec;
  spec.arch = p.get_string("arch");
  spec.width = static_cast<int>(p.get_int("width"));
  spec.dropout = static_cast<float>(p.get_number("dropout"));
  spec.input_width = spec.input_height = static_cast<int>(p.get_int("input_size"));
  spec.input_channels = channels;
  spec.mean.assign(static_cast<std::size_t>(channels), 0.f);
  spec.std.assign(static_cast<std::size_t>(channels), 1.f);
  spec.fit = p.get_string("fit");
  const std::string domain = p.get_string("domain");
  spec.domain = domain == "auto" ? (dataset == "digits" ? "digits" : "image") : domain;
  spec.polarity = spec.domain == "digits" ? "white_on_black" : "any";
  spec.class_names = train_raw.class_names;
  CVPIPE_RETURN_IF_ERROR(spec.validate("train recipe"));

  Prepared train_p, test_p;
  CVPIPE_RETURN_IF_ERROR(prepare_all(train_raw, spec, train_p));
  CVPIPE_RETURN_IF_ERROR(prepare_all(test_raw, spec, test_p));
  {
    // Per-channel mean / std of the prepared training images.
    std::vector<double> sum(static_cast<std::size_t>(channels), 0.0), sq(static_cast<std::size_t>(channels), 0.0);
    double count = 0;
    for (const auto& m : train_p.images) {
      cv::Scalar mu, sd;
      cv::meanStdDev(m, mu, sd);
      for (int c = 0; c < channels; ++c) {
        sum[static_cast<std::size_t>(c)] += mu[c];
        sq[static_cast<std::size_t>(c)] += sd[c] * sd[c] + mu[c] * mu[c];
      }
      count += 1;
    }
    for (int c = 0; c < channels; ++c) {
      const double mu = sum[static_cast<std::size_t>(c)] / count;
      const double var = std::max(1e-6, sq[static_cast<std::size_t>(c)] / count - mu * mu);
      spec.mean[static_cast<std::size_t>(c)] = static_cast<float>(mu);
      spec.std[static_cast<std::size_t>(c)] = static_cast<float>(std::sqrt(var));
    }
  }
  say(fmt::format("{} train / {} test images, {} classes, input {}x{}x{}, arch {}", train_p.images.size(),
                  test_p.images.size(), spec.num_classes(), channels, spec.input_height, spec.input_width, spec.arch));

  // --- outputs
  const fs::path& out_dir = ctx.out_dir;  // and the model file: resolved by the host (CommandContext)
  const fs::path model_path = p.get_string("model");
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return Status::io("cannot create output folder '" + out_dir.string() + "': " + ec.message());

  // --- the recipe, recorded in every model file (an ensemble member is reused when it matches)
  nlohmann::json recipe;
  for (const auto& [k, v] : p.values()) {
    if (auto b = std::get_if<bool>(&v)) recipe[k] = *b;
    else if (auto i = std::get_if<int64_t>(&v)) recipe[k] = *i;
    else if (auto d = std::get_if<double>(&v)) recipe[k] = *d;
    else recipe[k] = std::get<std::string>(v);
  }
  const std::string recipe_text = recipe.dump();

  // --- the networks: one, or `ensemble` members with seeds seed, seed + 1, ... in <out>/member<i>/
  const int members = static_cast<int>(p.get_int("ensemble"));
  spec.members = members;
  const auto seed = static_cast<std::uint64_t>(p.get_int("seed"));
  const std::shared_ptr<const Prepared> shared_train = std::make_shared<Prepared>(std::move(train_p));
  const TestSet test_set = make_test_set(test_p, spec, 500);
  ModelSpec member_spec = spec;
  member_spec.members = 1;
  std::vector<Network> nets;
  std::int64_t steps = 0;
  nn::TrainResult last;
  fs::path resume = ctx.resume;  // goes to the first member that trains
  for (int m = 0; m < members; ++m) {
    MemberRun run;
    run.seed = seed + static_cast<std::uint64_t>(m);
    run.out_dir = members == 1 ? out_dir : out_dir / fmt::format("member{}", m);
    const fs::path member_file = run.out_dir / "member.safetensors";
    Network net;
    if (members > 1 && load_finished_member(member_file, member_spec, recipe_text, run.seed, net)) {
      say(fmt::format("member {}/{}: reusing {} (same recipe and seed)", m + 1, members, member_file.string()));
      nets.push_back(std::move(net));
      continue;
    }
    run.resume = std::exchange(resume, {});
    if (members > 1) say(fmt::format("member {}/{}: seed {}", m + 1, members, run.seed));
    nn::TrainResult result;
    CVPIPE_RETURN_IF_ERROR(train_member(p, ctx, member_spec, shared_train, test_set, run, net, result));
    steps += result.steps;
    if (members > 1 && nn::dist::rank() == 0) {
      ModelSpec ms = member_spec;
      ms.extra["recipe"] = recipe_text;
      ms.extra["member_seed"] = std::to_string(run.seed);
      CVPIPE_RETURN_IF_ERROR(nn::save_model(member_file, *net.root, ms.to_model_info()));
    }
    last = std::move(result);
    nets.push_back(std::move(net));
  }
  const Ensemble ensemble = make_ensemble(std::move(nets));
  const double train_seconds = std::chrono::duration<double>(Clock::now() - t_start).count();
  if (nn::dist::rank() != 0) return {};  // data-parallel training: rank 0 writes and checks the model

  // --- the model file, then a check of it through the inference path
  spec.extra["dataset"] = train_raw.description;
  spec.extra["train_seconds"] = fmt::format("{:.1f}", train_seconds);
  spec.extra["train_steps"] = std::to_string(steps);
  spec.extra["recipe"] = recipe_text;
  spec.extra["command"] = ctx.command_line;
  if (model_path.has_parent_path()) fs::create_directories(model_path.parent_path(), ec);
  CVPIPE_RETURN_IF_ERROR(nn::save_model(model_path, *ensemble.root, spec.to_model_info()));

  std::unique_ptr<Classifier> model;
  CVPIPE_RETURN_IF_ERROR(Classifier::load(model_path, model));
  EvalResult ev, ev_auto;
  CVPIPE_RETURN_IF_ERROR(evaluate(*model, test_raw, InputMode::prepared, ev));
  CVPIPE_RETURN_IF_ERROR(evaluate(*model, test_raw, InputMode::automatic, ev_auto));
  const Status plot = write_confusion_png(ev, "classify " + spec.arch + (members > 1 ? fmt::format(" x{}", members) : "") + " on " + test_raw.description, out_dir / "confusion.png");
  if (!plot.ok()) say("warning: " + plot.message());
  // Record the accuracy measured through the inference path in the file itself.
  spec.extra["test_accuracy"] = fmt::format("{:.4f}", ev.accuracy);
  spec.extra["test_accuracy_prepared_auto"] = fmt::format("{:.4f}", ev_auto.accuracy);
  CVPIPE_RETURN_IF_ERROR(nn::save_model(model_path, *ensemble.root, spec.to_model_info()));
  say(fmt::format("model {}: test accuracy {:.2f}% ({} images; {:.2f}% with prepare=auto), {:.1f} s", model_path.string(),
                  100 * ev.accuracy, ev.n, 100 * ev_auto.accuracy, train_seconds));

  nlohmann::json j;
  j["model"] = model_path.string();
  j["out"] = out_dir.string();
  j["test_accuracy"] = ev.accuracy;
  j["test_accuracy_prepared_auto"] = ev_auto.accuracy;
  j["n"] = ev.n;
  j["per_class"] = ev.per_class;
  j["steps"] = steps;
  j["members"] = members;
  j["seconds"] = train_seconds;
  j["step_seconds"] = last.step_seconds;
  j["last_train"] = nlohmann::json::object();
  for (const auto& [k, v] : last.last_train) j["last_train"][k] = v;
  output = j.dump();
  return {};
}

}  // namespace

Status run_train(const Params& params, const CommandContext& ctx, std::string& output) {
  return guard([&] { return train_impl(params, ctx, output); });
}

}  // namespace cvpipe::classify
