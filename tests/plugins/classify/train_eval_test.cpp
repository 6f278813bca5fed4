// The train and eval commands on a tiny slice of digits.png: the loss falls, every output file is
// written, the model loads, eval reports the contract's JSON, resume continues a run.
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "cvpipe/classify/classifier.hpp"
#include "cvpipe/nn/metrics_log.hpp"
#include "eval_command.hpp"
#include "test_util.hpp"
#include "train_command.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::classify {
namespace {

using test::make_params;
using test::TempDir;

std::map<std::string, ParamValue> tiny_recipe(const std::filesystem::path& out) {
  return {{"width", int64_t{8}},          {"epochs", int64_t{6}},     {"batch", int64_t{25}},
          {"lr", 0.05},                   {"limit_per_class", int64_t{25}}, {"test_limit_per_class", int64_t{10}},
          {"eval_every", int64_t{3}},     {"checkpoint_every", int64_t{0}}, {"out", out.string()},
          {"warmup_epochs", 0.5},         {"seed", int64_t{3}}};
}

// What `cvpipe train` does before it calls the command: ctx.out_dir from the recipe's `out`, the
// model file <out>/model.safetensors unless the recipe names one (docs/training.md).
Status train_like_cli(Params p, CommandContext ctx, std::string& output) {
  ctx.out_dir = p.get_string("out");
  if (p.get_string("model").empty()) p.set("model", (ctx.out_dir / "model.safetensors").string());
  return run_train(p, ctx, output);
}

CommandContext quiet_context() {
  CommandContext ctx;
  ctx.quiet = true;
  ctx.threads = 2;
  return ctx;
}

std::vector<double> column(const std::filesystem::path& csv, const std::string& name) {
  nn::MetricsLog log;
  EXPECT_OK(log.load(csv));
  std::vector<double> v;
  for (const auto& [step, value] : log.series(name)) v.push_back(value);
  return v;
}

TEST(ClassifyTrain, TinyRunLossFallsAndWritesEverything) {
  if (!test::digits_available()) GTEST_SKIP() << "digits.png not installed";
  TempDir dir;
  CommandContext ctx = quiet_context();
  std::string out;
  const Status st = train_like_cli(make_params(train_params(), tiny_recipe(dir.path)), ctx, out);
  ASSERT_OK(st);
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j.at("steps").get<int>(), 6 * 10);  // 250 images / batch 25 = 10 steps per epoch
  EXPECT_EQ(j.at("n").get<int>(), 100);
  for (const char* f : {"model.safetensors", "metrics.csv", "curves.png", "checkpoint.safetensors", "confusion.png"})
    EXPECT_TRUE(std::filesystem::exists(dir.path / f)) << f;
  const auto loss = column(dir.path / "metrics.csv", "loss");
  ASSERT_GE(loss.size(), 4u);
  EXPECT_LT(loss.back(), 0.7 * loss.front()) << "loss did not fall: " << loss.front() << " -> " << loss.back();
  EXPECT_GT(j.at("test_accuracy").get<double>(), 0.3);  // far above chance (0.1) after 60 steps
  // The model file carries its training record and loads for inference.
  std::unique_ptr<Classifier> c;
  ASSERT_OK(Classifier::load(dir.path / "model.safetensors", c));
  EXPECT_EQ(c->spec().domain, "digits");
  EXPECT_TRUE(c->spec().extra.count("recipe"));
  EXPECT_NEAR(std::stod(c->spec().extra.at("test_accuracy")), j.at("test_accuracy").get<double>(), 1e-3);

  // eval on a small split: the CLI contract's keys, and a confusion PNG.
  const auto plot = dir.path / "cm.png";
  std::string ev;
  const Status es = run_eval(make_params(eval_params(), {{"model", (dir.path / "model.safetensors").string()},
                                                         {"limit_per_class", int64_t{5}},
                                                         {"plot", plot.string()}}),
                             ctx, ev);
  ASSERT_OK(es);
  const auto e = nlohmann::json::parse(ev);
  EXPECT_EQ(e.at("n").get<int>(), 50);
  EXPECT_EQ(e.at("per_class").size(), 10u);
  EXPECT_GE(e.at("accuracy").get<double>(), 0.0);
  EXPECT_LE(e.at("accuracy").get<double>(), 1.0);
  EXPECT_GT(e.at("ms_per_image").get<double>(), 0.0);
  EXPECT_TRUE(std::filesystem::exists(plot));
  // Per-class accuracies average to the accuracy (equal class sizes).
  double mean = 0;
  for (double v : e.at("per_class")) mean += v / 10;
  EXPECT_NEAR(mean, e.at("accuracy").get<double>(), 1e-9);
}

TEST(ClassifyTrain, ResumeContinuesFromTheCheckpoint) {
  if (!test::digits_available()) GTEST_SKIP() << "digits.png not installed";
  TempDir dir;
  CommandContext ctx = quiet_context();
  auto recipe = tiny_recipe(dir.path);
  recipe["epochs"] = int64_t{2};
  recipe["arch"] = std::string("lenet");
  recipe["input_size"] = int64_t{28};
  std::string out;
  ASSERT_OK(train_like_cli(make_params(train_params(), recipe), ctx, out)) << out;
  recipe["epochs"] = int64_t{3};
  ctx.resume = dir.path / "checkpoint.safetensors";
  const Status st = train_like_cli(make_params(train_params(), recipe), ctx, out);
  ASSERT_OK(st);
  EXPECT_EQ(nlohmann::json::parse(out).at("steps").get<int>(), 30);
  std::unique_ptr<Classifier> c;
  ASSERT_OK(Classifier::load(dir.path / "model.safetensors", c));
  EXPECT_EQ(c->spec().arch, "lenet");
  EXPECT_EQ(c->spec().input_width, 28);
}

// ensemble: 2 trains two members (seeds 3 and 4) into one file whose output is the mean of the
// members' softmax outputs; a rerun of the same recipe reuses the finished members.
TEST(ClassifyTrain, EnsembleAveragesItsMembersAndReusesFinishedOnes) {
  if (!test::digits_available()) GTEST_SKIP() << "digits.png not installed";
  TempDir dir;
  CommandContext ctx = quiet_context();
  auto recipe = tiny_recipe(dir.path);
  recipe["epochs"] = int64_t{2};
  recipe["ensemble"] = int64_t{2};
  std::string out;
  const Status st = train_like_cli(make_params(train_params(), recipe), ctx, out);
  ASSERT_OK(st);
  EXPECT_EQ(nlohmann::json::parse(out).at("steps").get<int>(), 2 * 2 * 10);
  EXPECT_EQ(nlohmann::json::parse(out).at("members").get<int>(), 2);
  std::unique_ptr<Classifier> ens, m0, m1;
  ASSERT_OK(Classifier::load(dir.path / "model.safetensors", ens));
  ASSERT_OK(Classifier::load(dir.path / "member0" / "member.safetensors", m0));
  ASSERT_OK(Classifier::load(dir.path / "member1" / "member.safetensors", m1));
  EXPECT_EQ(ens->spec().members, 2);
  EXPECT_EQ(m0->spec().members, 1);
  const cv::Mat sheet = cv::imread((data_dir() / "digits.png").string(), cv::IMREAD_GRAYSCALE);
  ASSERT_FALSE(sheet.empty());
  std::vector<cv::Mat> cells;  // test cells of classes 0, 2, 4, 6
  for (int i = 0; i < 4; ++i) cells.push_back(sheet(cv::Rect(20 * (50 + i), 20 * 5 * (2 * i), 20, 20)).clone());
  cv::Mat pe, p0, p1, fe, f0;
  ASSERT_OK(ens->predict(cells, pe, &fe, InputMode::prepared));
  ASSERT_OK(m0->predict(cells, p0, &f0, InputMode::prepared));
  ASSERT_OK(m1->predict(cells, p1, nullptr, InputMode::prepared));
  EXPECT_GT(cv::norm(p0, p1, cv::NORM_INF), 1e-4) << "members with different seeds should differ";
  EXPECT_LT(cv::norm(pe, (p0 + p1) * 0.5, cv::NORM_INF), 1e-5);
  EXPECT_LT(cv::norm(fe, f0, cv::NORM_INF), 1e-5);  // features are member 0's

  // Rerun: both members are reused (no training step), the file is rebuilt from them.
  const auto before = std::filesystem::last_write_time(dir.path / "member1" / "metrics.csv");
  ASSERT_OK(train_like_cli(make_params(train_params(), recipe), ctx, out)) << out;
  EXPECT_EQ(nlohmann::json::parse(out).at("steps").get<int>(), 0);
  EXPECT_EQ(std::filesystem::last_write_time(dir.path / "member1" / "metrics.csv"), before);
  std::unique_ptr<Classifier> again;
  ASSERT_OK(Classifier::load(dir.path / "model.safetensors", again));
  cv::Mat pa;
  ASSERT_OK(again->predict(cells, pa, nullptr, InputMode::prepared));
  EXPECT_LT(cv::norm(pa, pe, cv::NORM_INF), 1e-6);
}

TEST(ClassifyTrain, BadRecipesAreClearErrors) {
  TempDir dir;
  CommandContext ctx;
  ctx.quiet = true;
  std::string out;
  auto recipe = tiny_recipe(dir.path);
  recipe["dataset"] = std::string("folder");
  recipe["data"] = (dir.path / "nothing").string();
  Status st = train_like_cli(make_params(train_params(), recipe), ctx, out);
  EXPECT_EQ(st.code(), StatusCode::not_found);
  EXPECT_NE(st.message().find("nothing"), std::string::npos);
  if (!test::digits_available()) return;
  recipe = tiny_recipe(dir.path);
  recipe["channels"] = int64_t{2};
  st = train_like_cli(make_params(train_params(), recipe), ctx, out);
  EXPECT_NE(st.message().find("channels"), std::string::npos) << st.message();
  recipe = tiny_recipe(dir.path);
  recipe["arch"] = std::string("lenet");
  recipe["input_size"] = int64_t{12};
  st = train_like_cli(make_params(train_params(), recipe), ctx, out);
  EXPECT_NE(st.message().find("16x16"), std::string::npos) << st.message();
}

TEST(ClassifyEval, MissingModelIsNotFound) {
  CommandContext ctx;
  std::string out;
  const Status st = run_eval(make_params(eval_params(), {{"model", std::string("/nonexistent/m.safetensors")}}), ctx, out);
  EXPECT_EQ(st.code(), StatusCode::not_found);
  EXPECT_NE(st.message().find("/nonexistent/m.safetensors"), std::string::npos);
}

}  // namespace
}  // namespace cvpipe::classify
