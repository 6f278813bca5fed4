// Trainer: a run interrupted through its stop token and resumed from its checkpoint ends with
// parameters, buffers, optimizer state and weight averages bit-identical to an uninterrupted run;
// metrics CSV / curves / eval scheduling / hooks; failures (exceptions, NaN loss, bad checkpoints,
// failing hooks) are clear statuses.
#include "cvpipe/nn/trainer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <filesystem>
#include <fstream>

#include "cvpipe/nn/checkpoint.hpp"
#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/layers.hpp"
#include "cvpipe/nn/loss.hpp"
#include "cvpipe/nn/containers.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::nn {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir(const std::string& name) {
  auto d = fs::temp_directory_path() / ("cvpipe_trainer_" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Everything one training run owns.
struct Rig {
  std::shared_ptr<Sequential> net = std::make_shared<Sequential>();
  std::unique_ptr<Adam> opt;
  std::unique_ptr<DataLoader> loader;
  std::unique_ptr<Trainer> trainer;
  std::unique_ptr<WeightEma> ema;
  std::atomic<bool> stop{false};  // the stop token (what Ctrl-C sets in the CLI)
  int interrupt_at = -1;          // step index during which the stop token is set

  explicit Rig(TrainerOptions options, double ema_decay = 0.0) {
    net->emplace<Conv2d>("conv", 1, 4, 3, 1, 1);
    net->emplace<BatchNorm2d>("bn", 4);
    net->emplace<ReLU>("relu");
    net->emplace<Flatten>("flat");
    net->emplace<Linear>("fc", 4 * 4 * 4, 2);
    net->at(0).set_needs_input_grad(false);
    Rng init_rng(11);
    init_network(*net, InitScheme::torch_default, init_rng);
    opt = std::make_unique<Adam>(net->parameters(), AdamOptions{.lr = 0.01});
    auto ds = std::make_shared<FunctionDataset>(40, [](std::size_t i, Rng& rng) {
      Sample s;
      s.image = cv::Mat(4, 4, CV_32F);
      double sum = 0;
      for (int k = 0; k < 16; ++k) {
        s.image.at<float>(k / 4, k % 4) = static_cast<float>(normal01(rng) + (i % 2 ? 0.3 : -0.3));
        sum += s.image.at<float>(k / 4, k % 4);
      }
      s.label = sum > 0;
      return s;
    });
    loader = std::make_unique<DataLoader>(ds, LoaderOptions{.batch_size = 8, .seed = 3, .prefetch = 2});
    options.stop = &stop;
    trainer = std::make_unique<Trainer>(options);
    trainer->add_module("model", *net);
    if (ema_decay > 0) {
      ema = std::make_unique<WeightEma>(*net, ema_decay);
      trainer->add_ema("ema", *ema);
    }
    trainer->add_optimizer("optim", *opt, warmup_lr(cosine_lr(0.01, 10), 2));
    trainer->add_loader("train", *loader);
    trainer->set_metadata("architecture", "tiny");
    trainer->set_step([this](const StepContext& ctx) {
      if (ctx.step == interrupt_at) stop.store(true);
      Batch b = loader->next();
      opt->zero_grad();
      const Tensor y = net->forward(b.images);
      // Noise from the trainer rng makes the result depend on its checkpointed state.
      const float jitter = static_cast<float>(uniform01(*ctx.rng) * 1e-3);
      LossResult loss = cross_entropy(y, b.labels, {.label_smoothing = jitter});
      net->backward(loss.grad);
      opt->step();
      return Metrics{{"loss", loss.loss}, {"acc", static_cast<double>(count_correct(y, b.labels)) / b.size()}};
    });
  }

  std::vector<std::vector<float>> state() {
    std::vector<std::vector<float>> out;
    for (auto& p : net->named_parameters()) out.push_back(p.param->value.to_vector());
    for (auto& b : net->named_buffers()) out.push_back(b.tensor.to_vector());
    if (ema)
      for (std::size_t i = 0; i < net->parameters().size(); ++i) out.push_back(ema->average(i));
    return out;
  }
};

// One OpenMP thread: the tiny nets here are dominated by barrier waits when ctest runs suites in
// parallel on 2 cores. (Resume exactness holds for any fixed thread count.)
class TrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    threads_ = num_threads();
    set_num_threads(1);
  }
  void TearDown() override { set_num_threads(threads_); }
  int threads_ = 1;
};

TrainerOptions options(const fs::path& dir, std::int64_t steps) {
  return {.steps = steps, .log_every = 2, .eval_every = 5, .out_dir = dir, .quiet = true, .seed = 77};
}

TEST_F(TrainerTest, InterruptAndResumeMatchAnUninterruptedRun) {
  const auto dir_a = temp_dir("a"), dir_b = temp_dir("b");
  Rig a(options(dir_a, 12), 0.9);
  const TrainResult ra = a.trainer->run();
  ASSERT_EQ(ra.outcome, TrainOutcome::completed) << ra.status.message();
  EXPECT_EQ(ra.steps, 12);
  EXPECT_OK(ra.to_status());

  Rig b(options(dir_b, 12), 0.9);
  b.interrupt_at = 5;
  const TrainResult rb = b.trainer->run();
  ASSERT_EQ(rb.outcome, TrainOutcome::interrupted) << rb.status.message();
  EXPECT_EQ(rb.steps, 6) << "the step in progress finishes";
  EXPECT_STATUS(rb.to_status(), cancelled);
  EXPECT_NE(rb.to_status().message().find("--resume"), std::string::npos) << rb.to_status().message();
  ASSERT_TRUE(fs::exists(dir_b / "checkpoint.safetensors"));
  SafeTensors ck;
  ASSERT_OK(SafeTensors::load(dir_b / "checkpoint.safetensors", ck));
  EXPECT_EQ(ck.metadata.at("step"), "6");
  EXPECT_EQ(ck.metadata.at("architecture"), "tiny");
  EXPECT_TRUE(ck.contains("model.conv.weight"));
  EXPECT_TRUE(ck.contains("model.bn.running_var"));
  EXPECT_TRUE(ck.contains("optim.0.exp_avg_sq"));
  EXPECT_TRUE(ck.contains("ema.0"));

  Rig c(options(dir_b, 12), 0.9);  // a fresh process would build exactly this
  ASSERT_OK(c.trainer->resume(dir_b / "checkpoint.safetensors"));
  EXPECT_EQ(c.trainer->step(), 6);
  const TrainResult rc = c.trainer->run();
  ASSERT_EQ(rc.outcome, TrainOutcome::completed) << rc.status.message();
  EXPECT_EQ(rc.steps_run, 6);
  EXPECT_EQ(c.state(), a.state()) << "bit-identical to the uninterrupted run";
  EXPECT_EQ(c.opt->steps(), a.opt->steps());
  EXPECT_EQ(c.opt->lr(), a.opt->lr());

  // The metrics CSV continues without duplicate rows and matches the uninterrupted one.
  std::ifstream fa(dir_a / "metrics.csv"), fc(dir_b / "metrics.csv");
  const std::string ta((std::istreambuf_iterator<char>(fa)), {}), tc((std::istreambuf_iterator<char>(fc)), {});
  EXPECT_EQ(ta, tc);
  EXPECT_TRUE(fs::exists(dir_a / "curves.png"));
  fs::remove_all(dir_a.parent_path());
}

TEST_F(TrainerTest, MetricsRowsAndEpochEvaluation) {
  const auto dir = temp_dir("epochs");
  TrainerOptions o{.epochs = 3, .log_every = 2, .out_dir = dir, .quiet = true};
  Rig s(o);
  std::vector<std::int64_t> evals;
  s.trainer->set_eval([&](const StepContext& ctx) {
    evals.push_back(ctx.step);
    return Metrics{{"val_acc", 0.5 + 0.1 * static_cast<double>(evals.size())}};
  });
  const TrainResult r = s.trainer->run();
  ASSERT_OK(r.status);
  EXPECT_EQ(s.trainer->total_steps(), 15) << "3 epochs of 5 batches";
  EXPECT_EQ(evals, (std::vector<std::int64_t>{5, 10, 15})) << "evaluation at each epoch end";
  const auto& rows = s.trainer->metrics().rows();
  EXPECT_EQ(rows.front().step, 2);
  EXPECT_EQ(rows.back().step, 15);
  EXPECT_EQ(rows.back().epoch, 2);
  EXPECT_NEAR(*s.trainer->metrics().last("val_acc"), 0.8, 1e-12);
  EXPECT_EQ(r.last_eval.front().first, "val_acc");
  ASSERT_FALSE(r.last_train.empty());
  EXPECT_EQ(r.last_train[0].first, "loss");
  MetricsLog csv;
  ASSERT_OK(csv.load(dir / "metrics.csv"));
  EXPECT_EQ(csv.columns(), (std::vector<std::string>{"loss", "acc", "val_acc"}));
  EXPECT_EQ(csv.rows().size(), rows.size());
  fs::remove_all(dir.parent_path());
}

TEST_F(TrainerTest, FailuresAreStatuses) {
  const auto dir = temp_dir("fail");
  {
    Rig s(options(dir, 5));
    s.trainer->set_step([](const StepContext& ctx) -> Metrics {
      if (ctx.step == 2) throw Error("Conv2d 'conv': bad input");
      return {{"loss", 1.0}};
    });
    const TrainResult r = s.trainer->run();
    EXPECT_EQ(r.outcome, TrainOutcome::failed);
    EXPECT_NE(r.status.message().find("step 2"), std::string::npos) << r.status.message();
    EXPECT_NE(r.status.message().find("bad input"), std::string::npos);
    EXPECT_EQ(r.steps, 2);
  }
  {
    Rig s(options(dir, 5));
    s.trainer->set_step([](const StepContext& ctx) { return Metrics{{"g_loss", ctx.step == 1 ? NAN : 1.0}}; });
    const TrainResult r = s.trainer->run();
    EXPECT_EQ(r.outcome, TrainOutcome::failed);
    EXPECT_NE(r.status.message().find("g_loss became nan at step 1"), std::string::npos) << r.status.message();
  }
  {
    Trainer t({.steps = 0, .quiet = true});
    t.set_step([](const StepContext&) { return Metrics{}; });
    EXPECT_EQ(t.run().outcome, TrainOutcome::failed);
    Trainer u({.steps = 3, .quiet = true});
    EXPECT_EQ(u.run().outcome, TrainOutcome::failed) << "no step function";
  }
  {
    // Bad checkpoints: not a checkpoint, and one from another architecture.
    Rig s(options(dir, 4));
    SafeTensors plain;
    plain.set_f32("x", {1}, std::vector<float>{1});
    ASSERT_OK(plain.save(dir / "plain.safetensors"));
    Status st = s.trainer->resume(dir / "plain.safetensors");
    EXPECT_FALSE(st.ok());
    EXPECT_NE(st.message().find("not a training checkpoint"), std::string::npos) << st.message();
    ASSERT_EQ(s.trainer->run().outcome, TrainOutcome::completed);
    Sequential different;
    different.emplace<Linear>("fc", 3, 3);
    Trainer t({.steps = 4, .quiet = true});
    t.add_module("model", different);
    st = t.resume(dir / "checkpoint.safetensors");
    EXPECT_FALSE(st.ok());
    EXPECT_NE(st.message().find("checkpoint.safetensors"), std::string::npos);
    EXPECT_NE(st.message().find("wrong shape 2: model.fc.weight"), std::string::npos) << st.message();
    EXPECT_EQ(t.step(), 0) << "nothing changed";
  }
  EXPECT_THROW(Trainer({}).add_module("a.b", *std::make_shared<Sequential>()), std::invalid_argument);
  fs::remove_all(dir.parent_path());
}

TEST_F(TrainerTest, RequestStopWithoutOutputFolder) {
  Rig s({.steps = 10, .quiet = true});
  s.trainer->set_step([&](const StepContext& ctx) {
    if (ctx.step == 3) s.trainer->request_stop();
    return Metrics{{"loss", 0.5}};
  });
  const TrainResult r = s.trainer->run();
  EXPECT_EQ(r.outcome, TrainOutcome::interrupted);
  EXPECT_EQ(r.steps, 4);
  EXPECT_TRUE(r.checkpoint.empty());
}

// The time limit ends a run early as completed: a last evaluation, a checkpoint, the flag set.
TEST_F(TrainerTest, TimeLimitCompletesEarlyWithALastEvaluation) {
  Rig s({.steps = 100000, .eval_every = 1000, .quiet = true, .time_limit_s = 0.05});
  s.trainer->set_step([&](const StepContext&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return Metrics{{"loss", 0.5}};
  });
  int evals = 0;
  s.trainer->set_eval([&](const StepContext&) { return Metrics{{"val", static_cast<double>(++evals)}}; });
  const TrainResult r = s.trainer->run();
  EXPECT_EQ(r.outcome, TrainOutcome::completed);
  EXPECT_TRUE(r.stopped_by_time_limit);
  EXPECT_GT(r.steps, 0);
  EXPECT_LT(r.steps, 1000) << "stopped long before the steps and the first periodic evaluation";
  EXPECT_EQ(evals, 1);
  ASSERT_EQ(r.last_eval.size(), 1u);
  EXPECT_OK(r.to_status());
}

TEST_F(TrainerTest, ProgressLineAndEvalLinesOnStderr) {
  {
    Rig s({.steps = 5, .eval_every = 5, .quiet = false, .force_progress = true});
    s.trainer->set_step([](const StepContext&) { return Metrics{{"loss", 0.25}}; });
    s.trainer->set_eval([](const StepContext&) { return Metrics{{"val_loss", 0.5}}; });
    testing::internal::CaptureStderr();
    const TrainResult r = s.trainer->run();
    const std::string err = testing::internal::GetCapturedStderr();
    ASSERT_OK(r.status);
    EXPECT_NE(err.find("step 5/5"), std::string::npos) << err;
    EXPECT_NE(err.find("steps"), std::string::npos) << err;
    EXPECT_NE(err.find("loss 0.25"), std::string::npos) << err;
    EXPECT_NE(err.find("train: step 5/5 epoch 0: val_loss 0.5"), std::string::npos) << err;
  }
  {
    Rig s({.steps = 5, .eval_every = 5, .quiet = true, .force_progress = true});
    s.trainer->set_step([](const StepContext&) { return Metrics{{"loss", 0.25}}; });
    s.trainer->set_eval([](const StepContext&) { return Metrics{{"val_loss", 0.5}}; });
    testing::internal::CaptureStderr();
    ASSERT_OK(s.trainer->run().status);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "") << "quiet wins over force_progress";
  }
}

TEST_F(TrainerTest, StopTokenCheckpointsAndInterrupts) {
  const auto dir = temp_dir("stop");
  Rig s({.steps = 10, .out_dir = dir, .quiet = true});
  s.trainer->set_step([&](const StepContext& ctx) {
    if (ctx.step == 2) s.stop.store(true);
    return Metrics{{"loss", 1.0}};
  });
  const TrainResult r = s.trainer->run();
  EXPECT_EQ(r.outcome, TrainOutcome::interrupted);
  EXPECT_EQ(r.steps, 3);
  EXPECT_EQ(r.checkpoint, dir / "checkpoint.safetensors");
  EXPECT_TRUE(fs::exists(r.checkpoint));
  fs::remove_all(dir.parent_path());
}

TEST_F(TrainerTest, HooksRunEveryNStepsAndAfterTheLast) {
  Rig s({.steps = 7, .quiet = true}, 0.5);
  std::vector<std::int64_t> every3, at_end;
  std::vector<float> seen_in_hook, training_after;
  s.trainer->add_hook(3, [&](const StepContext& ctx) {
    every3.push_back(ctx.step);
    WeightEma::ApplyScope use(*s.ema);
    seen_in_hook = s.net->parameters()[0]->value.to_vector();
    return Status::success();
  });
  s.trainer->add_hook(0, [&](const StepContext& ctx) {
    at_end.push_back(ctx.step);
    return Status::success();
  });
  const TrainResult r = s.trainer->run();
  ASSERT_OK(r.to_status());
  EXPECT_EQ(every3, (std::vector<std::int64_t>{3, 6, 7}));
  EXPECT_EQ(at_end, (std::vector<std::int64_t>{7}));
  // The hook saw the average; training continues on (and ends with) its own weights.
  EXPECT_EQ(seen_in_hook, s.ema->average(0));
  EXPECT_FALSE(s.ema->applied());
  EXPECT_NE(s.net->parameters()[0]->value.to_vector(), s.ema->average(0));

  Rig f({.steps = 7, .quiet = true});
  f.trainer->add_hook(2, [](const StepContext& ctx) {
    return ctx.step == 4 ? Status::io("cannot write samples/step_4.png") : Status::success();
  });
  const TrainResult rf = f.trainer->run();
  EXPECT_EQ(rf.outcome, TrainOutcome::failed);
  EXPECT_STATUS(rf.status, io_error);
  EXPECT_NE(rf.status.message().find("at step 4: cannot write samples/step_4.png"), std::string::npos) << rf.status.message();
}

TEST(WeightEma, AveragesWithWarmupAndRoundTrips) {
  Sequential net;
  net.emplace<Linear>("fc", 2, 1);
  Parameter* w = net.parameters()[0];
  w->value.from_vector({1.f, 1.f});
  w->mark_updated();
  WeightEma ema(net, 0.99);
  w->value.from_vector({3.f, 3.f});
  w->mark_updated();
  ema.update(0);  // decay min(0.99, 1/10) = 0.1: 0.1 * 1 + 0.9 * 3
  EXPECT_NEAR(ema.average(0)[0], 2.8f, 1e-6);
  {
    WeightEma::ApplyScope use(ema);
    EXPECT_NEAR(w->value.to_vector()[0], 2.8f, 1e-6);
    EXPECT_EQ(ema.training_weights(0), (std::vector<float>{3.f, 3.f}));
  }
  EXPECT_EQ(w->value.to_vector(), (std::vector<float>{3.f, 3.f}));
  SafeTensors st;
  ema.export_state(st, "ema.");
  WeightEma other(net, 0.99);
  EXPECT_OK(other.import_state(st, "ema.", "ck"));
  EXPECT_EQ(other.average(0), ema.average(0));
  const Status missing = other.import_state(SafeTensors{}, "ema.", "ck");
  EXPECT_STATUS(missing, invalid_argument);
  EXPECT_NE(missing.message().find("ck: moving-average tensor 'ema.0'"), std::string::npos) << missing.message();
  EXPECT_THROW(WeightEma(net, 1.0), std::invalid_argument);
}

}  // namespace
}  // namespace cvpipe::nn
