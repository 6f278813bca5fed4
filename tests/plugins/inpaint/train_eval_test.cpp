// The train and eval commands end to end on tiny settings: a short run writes a loadable model,
// metrics and curves; eval prints every documented field, writes the masks it drew (the files
// the stage reads) and side-by-side PNGs, and refuses a truncated model naming the file.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "eval_command.hpp"
#include "test_support.hpp"
#include "train_command.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::inpaint {
namespace {

namespace fs = std::filesystem;

Params defaults(const std::vector<ParamSpec>& schema) {
  Params p;
  for (const auto& s : schema) p.set(s.name, *s.default_value);
  return p;
}

TEST(TrainEval, TinyRunThenEval) {
  testing::TempDir dir("train");
  Params p = defaults(train_params());
  p.set("base_width", int64_t{8});
  p.set("max_width", int64_t{16});
  p.set("levels", int64_t{2});
  p.set("dilations", std::string("2"));
  p.set("patch", int64_t{32});
  p.set("batch", int64_t{4});
  p.set("steps", int64_t{6});
  p.set("epoch_steps", int64_t{3});
  p.set("warmup", int64_t{1});
  p.set("log_every", int64_t{3});
  p.set("photos", std::string("fruits.jpg,home.jpg"));
  p.set("val_photos", std::string("apple.jpg"));
  p.set("val_crop", int64_t{64});
  p.set("grad_weight", 0.5);
  p.set("known_weight", 0.1);
  const fs::path model = dir.path / "out" / "model.safetensors";
  p.set("model", model.string());
  CommandContext ctx;
  ctx.out_dir = dir.path / "out";
  ctx.threads = 1;
  ctx.quiet = true;
  std::string output;
  const Status st = run_train(p, ctx, output);
  ASSERT_OK(st);
  const auto j = nlohmann::json::parse(output);
  EXPECT_EQ(j.at("steps").get<int>(), 6);
  EXPECT_TRUE(std::isfinite(j.at("loss").get<double>()));
  EXPECT_TRUE(j.contains("val_hole_psnr") && j.contains("val_hole_psnr_telea")) << output;
  EXPECT_TRUE(fs::exists(model));
  EXPECT_TRUE(fs::exists(dir.path / "out" / "metrics.csv"));
  EXPECT_TRUE(fs::exists(dir.path / "out" / "curves.png"));

  fs::create_directories(dir.path / "images");
  const cv::Mat photo = testing::photo("butterfly.jpg");
  ASSERT_TRUE(cv::imwrite((dir.path / "images" / "a.png").string(), photo(cv::Rect(0, 0, 120, 96))));
  ASSERT_TRUE(cv::imwrite((dir.path / "images" / "b.jpg").string(), photo(cv::Rect(60, 40, 100, 90))));
  Params e = defaults(eval_params());
  e.set("model", model.string());
  e.set("images", (dir.path / "images").string());
  e.set("masks", (dir.path / "masks").string());
  e.set("save", (dir.path / "save").string());
  std::string eval_out;
  const Status es = run_eval(e, ctx, eval_out);
  ASSERT_OK(es);
  const auto r = nlohmann::json::parse(eval_out);
  for (const char* key : {"hole_psnr", "hole_psnr_telea", "hole_psnr_ns", "ms_per_mpix", "n"}) EXPECT_TRUE(r.contains(key)) << key;
  EXPECT_EQ(r.at("n").get<int>(), 2);
  EXPECT_GE(r.at("coverage").get<double>(), 0.05);
  EXPECT_LE(r.at("coverage").get<double>(), 0.20);
  EXPECT_GT(r.at("hole_psnr_telea").get<double>(), 10.0);
  for (const char* f : {"masks/a.png", "masks/b.png", "save/a.png", "save/b.png"}) EXPECT_TRUE(fs::exists(dir.path / f)) << f;
  const cv::Mat mask = cv::imread((dir.path / "masks" / "b.png").string(), cv::IMREAD_UNCHANGED);
  EXPECT_EQ(mask.size(), cv::Size(100, 90));

  // The same seed draws the same masks, so the same numbers.
  std::string again;
  ASSERT_OK(run_eval(e, ctx, again));
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(again).at("hole_psnr").get<double>(), r.at("hole_psnr").get<double>());

  fs::resize_file(model, fs::file_size(model) / 3);
  const Status bad = run_eval(e, ctx, again);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find(model.string()), std::string::npos) << bad.message();
}

TEST(TrainEval, BadParameters) {
  Params p = defaults(train_params());
  p.set("patch", int64_t{36});  // not a multiple of 2^3
  CommandContext ctx;
  ctx.out_dir = fs::temp_directory_path() / "cvpipe_inpaint_never";
  std::string out;
  EXPECT_EQ(run_train(p, ctx, out).code(), StatusCode::invalid_argument);
  p.set("patch", int64_t{32});
  p.set("dilations", std::string("2,x"));
  EXPECT_EQ(run_train(p, ctx, out).code(), StatusCode::invalid_argument);
}

}  // namespace
}  // namespace cvpipe::inpaint
