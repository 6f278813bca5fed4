// The train and eval commands end to end on tiny settings: a short training run improves the
// validation PSNR and writes a loadable model, metrics and curves; resume continues; eval prints
// every documented field and saves side-by-side PNGs.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "eval_command.hpp"
#include "network.hpp"
#include "test_support.hpp"
#include "train_command.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::denoise {
namespace {

Params defaults(const std::vector<ParamSpec>& schema) {
  Params p;
  for (const auto& s : schema) p.set(s.name, *s.default_value);
  return p;
}

Params tiny_train(const std::filesystem::path& out) {
  Params p = defaults(train_params());
  p.set("channels", int64_t{1});
  p.set("features", int64_t{16});
  p.set("depth", int64_t{5});
  p.set("patch", int64_t{32});
  p.set("batch", int64_t{8});
  p.set("steps", int64_t{120});
  p.set("epoch_steps", int64_t{40});
  p.set("warmup", int64_t{10});
  p.set("lr", 3e-3);
  p.set("photos", std::string("fruits.jpg,home.jpg"));
  p.set("val_photos", std::string("apple.jpg,smarties.png"));
  p.set("val_crop", int64_t{96});
  p.set("log_every", int64_t{10});
  p.set("dtype", std::string("f32"));
  p.set("out", out.string());
  return p;
}

// What `cvpipe train` does before it calls the command: ctx.out_dir from the recipe's `out`, the
// model file <out>/model.safetensors unless the recipe names one (docs/training.md).
Status train_like_cli(Params p, CommandContext ctx, std::string& output) {
  ctx.out_dir = p.get_string("out");
  if (p.get_string("model").empty()) p.set("model", (ctx.out_dir / "model.safetensors").string());
  return run_train(p, ctx, output);
}

// Column `name` of a metrics CSV, rows with a value only.
std::vector<double> csv_column(const std::filesystem::path& csv, const std::string& name) {
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string cell; std::getline(hs, cell, ',');) header.push_back(cell);
  const auto col = std::find(header.begin(), header.end(), name) - header.begin();
  std::vector<double> values;
  while (std::getline(in, line)) {
    std::stringstream ls(line);
    std::string cell;
    for (long i = 0; std::getline(ls, cell, ','); ++i) {
      if (i == col && !cell.empty()) values.push_back(std::stod(cell));
    }
  }
  return values;
}

TEST(TrainCommand, TinyRunImprovesValidationPsnrAndWritesModel) {
  testing::TempDir dir("train");
  CommandContext ctx;
  ctx.quiet = true;
  ctx.threads = 1;
  std::string output;
  const Status st = train_like_cli(tiny_train(dir.path), ctx, output);
  ASSERT_OK(st);
  const auto j = nlohmann::json::parse(output);
  EXPECT_EQ(j.at("steps").get<int>(), 120);
  const auto model = dir.path / "model.safetensors";
  ASSERT_TRUE(std::filesystem::exists(model));
  EXPECT_TRUE(std::filesystem::exists(dir.path / "metrics.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir.path / "curves.png"));
  std::unique_ptr<DenoiseNet> net;
  ASSERT_OK(DenoiseNet::load(model, net));

  const auto val = csv_column(dir.path / "metrics.csv", "val_psnr_s25");
  const auto loss = csv_column(dir.path / "metrics.csv", "loss");
  ASSERT_GE(val.size(), 3u);
  ASSERT_GE(loss.size(), 10u);
  EXPECT_LT(loss.back(), 0.8 * loss.front()) << "first " << loss.front() << " last " << loss.back();
  EXPECT_GT(val.back(), val.front()) << "first " << val.front() << " last " << val.back();
  // The network starts near the identity (the noisy input: 20.3 dB at sigma 25 on these crops);
  // 120 tiny steps already clean up part of the noise.
  EXPECT_GT(val.back(), 21.5);
}

TEST(TrainCommand, ResumeContinuesFromCheckpoint) {
  testing::TempDir dir("resume");
  CommandContext ctx;
  ctx.quiet = true;
  ctx.threads = 1;
  Params p = tiny_train(dir.path);
  p.set("steps", int64_t{40});
  p.set("epoch_steps", int64_t{20});
  std::string output;
  ASSERT_OK(train_like_cli(p, ctx, output));
  p.set("steps", int64_t{60});
  ctx.resume = dir.path / "checkpoint.safetensors";
  const Status st = train_like_cli(p, ctx, output);
  ASSERT_OK(st);
  EXPECT_EQ(nlohmann::json::parse(output).at("steps").get<int>(), 60);
}

// init: a run starts from an earlier model's weights (its first validation is at that model's
// level, not the identity's); a model of another width is refused, naming both shapes.
TEST(TrainCommand, InitStartsFromAModelAndRefusesAnotherShape) {
  testing::TempDir dir("init");
  CommandContext ctx;
  ctx.quiet = true;
  ctx.threads = 1;
  Params p = tiny_train(dir.path / "first");
  std::string output;
  ASSERT_OK(train_like_cli(p, ctx, output)) << output;
  const double first_end = csv_column(dir.path / "first" / "metrics.csv", "val_psnr_s25").back();

  Params q = tiny_train(dir.path / "second");
  q.set("init", (dir.path / "first" / "model.safetensors").string());
  q.set("steps", int64_t{1});
  q.set("epoch_steps", int64_t{1});
  q.set("lr", 1e-6);
  const Status st = train_like_cli(q, ctx, output);
  ASSERT_OK(st);
  const double second_start = csv_column(dir.path / "second" / "metrics.csv", "val_psnr_s25").front();
  EXPECT_NEAR(second_start, first_end, 0.05);

  q.set("features", int64_t{8});
  const Status bad = train_like_cli(q, ctx, output);
  EXPECT_EQ(bad.code(), StatusCode::invalid_argument);
  EXPECT_NE(bad.message().find("features 16"), std::string::npos) << bad.message();
}

TEST(TrainCommand, BadParametersAreClearErrors) {
  testing::TempDir dir("badtrain");
  CommandContext ctx;
  ctx.quiet = true;
  std::string output;
  Params p = tiny_train(dir.path);
  p.set("channels", int64_t{2});
  EXPECT_EQ(train_like_cli(p, ctx, output).code(), StatusCode::invalid_argument);
  p = tiny_train(dir.path);
  p.set("photos", std::string("no_such_photo.jpg"));
  const Status st = train_like_cli(p, ctx, output);
  EXPECT_EQ(st.code(), StatusCode::not_found);
  EXPECT_NE(st.message().find("no_such_photo.jpg"), std::string::npos);
}

TEST(EvalCommand, PrintsAllFieldsAndSavesSideBySide) {
  testing::TempDir dir("eval");
  const auto model = testing::random_model_file(dir.path, 3);
  std::filesystem::create_directories(dir.path / "images");
  for (const char* name : {"fruits.jpg", "baboon.jpg"}) {
    cv::imwrite((dir.path / "images" / name).string(), testing::photo(name, 3)(cv::Rect(0, 0, 96, 80)));
  }
  Params p = defaults(eval_params());
  p.set("model", model.string());
  p.set("images", (dir.path / "images").string());
  p.set("sigma", 25.0);
  p.set("save", (dir.path / "saved").string());
  CommandContext ctx;
  ctx.threads = 1;
  std::string output;
  const Status st = run_eval(p, ctx, output);
  ASSERT_OK(st);
  const auto j = nlohmann::json::parse(output);
  for (const char* key : {"psnr", "ssim", "psnr_nlmeans", "ssim_nlmeans", "psnr_noisy", "ms_per_mpix",
                          "ms_per_mpix_nlmeans", "n"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j.at("n").get<int>(), 2);
  EXPECT_NEAR(j.at("psnr_noisy").get<double>(), 20.2, 0.5);
  EXPECT_GT(j.at("psnr_nlmeans").get<double>(), j.at("psnr_noisy").get<double>());
  EXPECT_GT(j.at("ms_per_mpix").get<double>(), 0.0);
  const cv::Mat sheet = cv::imread((dir.path / "saved" / "fruits_s25.png").string());
  ASSERT_FALSE(sheet.empty());
  EXPECT_EQ(sheet.cols, 4 * 96 + 3 * 4);  // noisy | nlmeans | cnn | clean

  // Same seed, same noise: identical numbers; another seed: different noise.
  std::string again;
  p.set("save", std::string());
  ASSERT_OK(run_eval(p, ctx, again));
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(again).at("psnr_noisy").get<double>(), j.at("psnr_noisy").get<double>());
  p.set("seed", int64_t{1});
  ASSERT_OK(run_eval(p, ctx, again));
  EXPECT_NE(nlohmann::json::parse(again).at("psnr_noisy").get<double>(), j.at("psnr_noisy").get<double>());
}

TEST(EvalCommand, MissingImagesFolderIsAnError) {
  testing::TempDir dir("evalbad");
  Params p = defaults(eval_params());
  p.set("model", testing::random_model_file(dir.path, 1).string());
  p.set("images", (dir.path / "nothing_here").string());
  std::string output;
  EXPECT_EQ(run_eval(p, {}, output).code(), StatusCode::not_found);
}

}  // namespace
}  // namespace cvpipe::denoise
