// The train and eval commands of colorize and translate on tiny settings: a short training run
// lowers the loss and writes a loadable model with its decoding chosen on the tuning photos; the
// PatchGAN variant runs; eval prints every documented field and writes side-by-side PNGs; bad
// parameters and inputs are clear errors.
#include <fstream>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "night_style.hpp"
#include "test_support.hpp"
#include "translate_net.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::colorize {
namespace {

namespace fs = std::filesystem;
using testing::colour_picture;

// Writes a few synthetic colour photos into `dir` (colour a function of lightness: learnable).
void write_photos(const fs::path& dir, const std::vector<std::string>& names, int size = 96) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    ASSERT_TRUE(cv::imwrite((dir / names[i]).string(), testing::lightness_coded_picture(size, size, static_cast<int>(i))));
  }
}

// What `cvpipe train` does before calling a command (docs/training.md).
Status train_like_cli(Status (*run)(const Params&, const CommandContext&, std::string&), Params p, std::string& output) {
  CommandContext ctx;
  ctx.quiet = true;
  ctx.threads = 1;
  ctx.out_dir = p.get_string("out");
  if (p.get_string("model").empty()) p.set("model", (ctx.out_dir / "model.safetensors").string());
  return run(p, ctx, output);
}

Params tiny_colorize(const fs::path& dir) {
  Params p = testing::defaults(colorize_train_params());
  p.set("data", dir.string());
  p.set("photos", std::string("p1.png,p2.png"));
  p.set("tune_photos", std::string("t1.png"));
  p.set("videos", std::string(""));
  p.set("frames_per_video", int64_t{0});
  p.set("net_side", int64_t{32});
  p.set("patch", int64_t{32});
  p.set("batch", int64_t{4});
  p.set("steps", int64_t{80});
  p.set("eval_every", int64_t{40});
  p.set("warmup", int64_t{5});
  p.set("lr", 3e-3);
  p.set("base_width", int64_t{4});
  p.set("max_width", int64_t{8});
  p.set("levels", int64_t{2});
  p.set("output_level", int64_t{1});
  p.set("dilations", std::string(""));
  p.set("min_bin_fraction", 1e-3);
  p.set("log_every", int64_t{10});
  p.set("out", (dir / "run").string());
  return p;
}

TEST(ColorizeTrain, TinyRunLowersTheLossAndWritesATunedModel) {
  testing::TempDir dir("train");
  write_photos(dir.path, {"p1.png", "p2.png", "t1.png"});
  std::string output;
  const Status st = train_like_cli(&run_colorize_train, tiny_colorize(dir.path), output);
  ASSERT_OK(st);
  const auto loss = testing::csv_column(dir.path / "run" / "metrics.csv", "loss");
  ASSERT_GE(loss.size(), 4u);
  std::string all;
  for (double v : loss) all += std::to_string(v) + " ";
  EXPECT_LT(loss.back(), 0.85 * loss.front()) << all;
  EXPECT_TRUE(fs::exists(dir.path / "run" / "tuning.json"));
  const auto j = nlohmann::json::parse(output);
  std::unique_ptr<ColorizeNet> net;
  const Status ls = ColorizeNet::load(j.at("model").get<std::string>(), net);
  ASSERT_OK(ls);
  EXPECT_FLOAT_EQ(net->decoding().temperature, j.at("temperature").get<float>());
  EXPECT_FLOAT_EQ(net->decoding().saturation, j.at("saturation").get<float>());
  EXPECT_FLOAT_EQ(net->decoding().confidence, j.at("confidence").get<float>());
  EXPECT_EQ(net->decoding().flip_average, j.at("flip_average").get<double>() != 0.0);  // summary numbers: 1 or 0
}

TEST(ColorizeTrain, BadParametersAreClearErrors) {
  testing::TempDir dir("badtrain");
  write_photos(dir.path, {"p1.png", "p2.png", "t1.png"});
  std::string output;
  Params p = tiny_colorize(dir.path);
  p.set("patch", int64_t{30});
  EXPECT_NE(train_like_cli(&run_colorize_train, p, output).message().find("patch"), std::string::npos);
  for (const char* scales : {"0.5", "1,x", ""}) {  // 0.5 x net_side is below the patch
    p = tiny_colorize(dir.path);
    p.set("scales", std::string(scales));
    const Status ss = train_like_cli(&run_colorize_train, p, output);
    EXPECT_EQ(ss.code(), StatusCode::invalid_argument) << scales;
    EXPECT_NE(ss.message().find("scales"), std::string::npos) << ss.message();
  }
  p = tiny_colorize(dir.path);
  p.set("photos", std::string("p1.png,t1.png"));
  EXPECT_NE(train_like_cli(&run_colorize_train, p, output).message().find("t1.png"), std::string::npos);
  p = tiny_colorize(dir.path);
  p.set("photos", std::string("p1.png,nope.png"));
  const Status st = train_like_cli(&run_colorize_train, p, output);
  EXPECT_EQ(st.code(), StatusCode::not_found);
  EXPECT_NE(st.message().find("nope.png"), std::string::npos) << st.message();
}

TEST(ColorizeEval, PrintsTheDocumentedFieldsAndSavesStrips) {
  testing::TempDir dir("eval");
  fs::create_directories(dir.path / "photos");
  write_photos(dir.path / "photos", {"a.png", "b.png"}, 50);
  auto net = testing::random_colorize_net();
  ASSERT_OK(net->save(dir.path / "m.safetensors", {}));
  Params p = testing::defaults(colorize_eval_params());
  p.set("model", (dir.path / "m.safetensors").string());
  p.set("images", (dir.path / "photos").string());
  p.set("save", (dir.path / "strips").string());
  std::string output;
  const Status st = run_colorize_eval(p, {}, output);
  ASSERT_OK(st);
  const auto j = nlohmann::json::parse(output);
  for (const char* key : {"psnr", "psnr_gray", "colorfulness", "colorfulness_truth", "n"}) EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j.at("n").get<int>(), 2);
  EXPECT_GT(j.at("colorfulness_truth").get<double>(), 10.0);
  EXPECT_TRUE(fs::exists(dir.path / "strips" / "a.png"));
  // saturation 0: exactly the gray baseline
  p.set("saturation", 0.0);
  p.set("save", std::string(""));
  ASSERT_OK(run_colorize_eval(p, {}, output));
  const auto g = nlohmann::json::parse(output);
  EXPECT_NEAR(g.at("psnr").get<double>(), g.at("psnr_gray").get<double>(), 0.05);
  // decoding overrides are applied and reported
  p.set("saturation", 1.0);
  p.set("confidence", 2.0);
  p.set("flip_average", int64_t{1});
  ASSERT_TRUE(run_colorize_eval(p, {}, output).ok());
  const auto o = nlohmann::json::parse(output);
  EXPECT_FLOAT_EQ(o.at("confidence").get<float>(), 2.f);
  EXPECT_TRUE(o.at("flip_average").get<bool>());
  // tune: chooses a decoding on the images and writes the candidates
  p.set("tune", (dir.path / "tuning.json").string());
  ASSERT_TRUE(run_colorize_eval(p, {}, output).ok());
  const auto t = nlohmann::json::parse(output);
  for (const char* key : {"psnr", "psnr_gray", "temperature", "saturation", "confidence", "flip_average", "cast_removal"})
    EXPECT_TRUE(t.contains(key)) << key;
  std::ifstream table_file(dir.path / "tuning.json");
  const auto table = nlohmann::json::parse(table_file);
  EXPECT_GT(table.size(), 100u);
  p.set("tune", std::string(""));
  p.set("images", (dir.path / "none").string());
  EXPECT_EQ(run_colorize_eval(p, {}, output).code(), StatusCode::not_found);
}

Params tiny_translate(const fs::path& dir) {
  Params p = testing::defaults(translate_train_params());
  p.set("pairs", (dir / "pairs").string());
  p.set("patch", int64_t{32});
  p.set("batch", int64_t{4});
  p.set("steps", int64_t{60});
  p.set("eval_every", int64_t{30});
  p.set("warmup", int64_t{5});
  p.set("lr", 3e-3);
  p.set("base_width", int64_t{4});
  p.set("max_width", int64_t{8});
  p.set("levels", int64_t{2});
  p.set("log_every", int64_t{10});
  p.set("out", (dir / "run").string());
  return p;
}

void write_pairs(const fs::path& dir) {
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  for (int i = 0; i < 3; ++i) {
    const cv::Mat a = colour_picture(64, 48, i);
    ASSERT_TRUE(cv::imwrite((dir / "a" / ("p" + std::to_string(i) + ".png")).string(), a));
    ASSERT_TRUE(cv::imwrite((dir / "b" / ("p" + std::to_string(i) + ".png")).string(), night_style(a)));
  }
}

TEST(TranslateTrain, TinyRunLowersTheL1AndEvalReadsPairs) {
  testing::TempDir dir("translate");
  write_pairs(dir.path / "pairs");
  std::string output;
  const Status st = train_like_cli(&run_translate_train, tiny_translate(dir.path), output);
  ASSERT_OK(st);
  const auto loss = testing::csv_column(dir.path / "run" / "metrics.csv", "loss");
  ASSERT_GE(loss.size(), 4u);
  EXPECT_LT(loss.back(), 0.7 * loss.front()) << "first " << loss.front() << ", last " << loss.back();
  Params e = testing::defaults(translate_eval_params());
  e.set("model", (dir.path / "run" / "model.safetensors").string());
  e.set("pairs", (dir.path / "pairs").string());
  e.set("save", (dir.path / "strips").string());
  ASSERT_OK(run_translate_eval(e, {}, output));
  const auto j = nlohmann::json::parse(output);
  for (const char* key : {"psnr", "psnr_identity", "l1", "n"}) EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j.at("n").get<int>(), 3);
  EXPECT_GT(j.at("psnr").get<double>(), j.at("psnr_identity").get<double>());
  EXPECT_TRUE(fs::exists(dir.path / "strips" / "p0.png"));
}

TEST(TranslateTrain, PatchGanVariantRuns) {
  testing::TempDir dir("gan");
  write_pairs(dir.path / "pairs");
  Params p = tiny_translate(dir.path);
  p.set("gan_weight", 0.05);
  p.set("steps", int64_t{20});
  p.set("eval_every", int64_t{10});
  p.set("log_every", int64_t{5});
  std::string output;
  const Status st = train_like_cli(&run_translate_train, p, output);
  ASSERT_OK(st);
  const auto d = testing::csv_column(dir.path / "run" / "metrics.csv", "d_loss");
  ASSERT_FALSE(d.empty());
  for (double v : d) EXPECT_TRUE(std::isfinite(v));
}

TEST(TranslateTrain, MissingPairIsAnErrorNamingTheFile) {
  testing::TempDir dir("badpairs");
  write_pairs(dir.path / "pairs");
  fs::remove(dir.path / "pairs" / "b" / "p1.png");
  std::string output;
  const Status st = train_like_cli(&run_translate_train, tiny_translate(dir.path), output);
  EXPECT_EQ(st.code(), StatusCode::not_found);
  EXPECT_NE(st.message().find("p1.png"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace cvpipe::colorize
