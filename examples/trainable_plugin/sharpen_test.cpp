// Tests of the sharpen plugin as the host runs it: its `train` command, called through the plugin's
// descriptor, lowers the loss within a few steps and writes a model file; the `sharpen` stage runs
// that model on gray and colour frames through cvpipe's stage harness and makes a blurred frame
// sharper. Training reads a few sample photos from $CVPIPE_DATA (default: the opencv-doc folder).
#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include <opencv2/imgproc.hpp>

#include <cvpipe/nn/metrics_log.hpp>
#include <cvpipe/testing/images.hpp>
#include <cvpipe/testing/stage_harness.hpp>
#include <cvpipe/testing/status_matchers.hpp>

namespace {

namespace fs = std::filesystem;
using cvpipe::test::PluginFile;
using cvpipe::test::StageHarness;

// The plugin's `train` command with its defaults, some values replaced, run as `cvpipe train` would.
cvpipe::Status run_train(const std::vector<std::pair<std::string, cvpipe::ParamValue>>& values, const fs::path& out_dir,
                         std::string& output) {
  void* library = dlopen(CVPIPE_PLUGIN_FILE, RTLD_NOW | RTLD_LOCAL);
  if (!library) return cvpipe::Status::io(std::string("dlopen: ") + dlerror());
  auto entry = reinterpret_cast<const CvpipePluginDescriptor* (*)()>(dlsym(library, CVPIPE_ENTRY_SYMBOL));
  if (!entry) return cvpipe::Status::invalid("no entry point");
  const CvpipePluginDescriptor* plugin = entry();
  for (std::size_t i = 0; i < plugin->command_count; ++i) {
    const cvpipe::CommandEntry& command = plugin->commands[i];
    if (std::string(command.name) != "train") continue;
    cvpipe::Params params;
    for (const cvpipe::ParamSpec& spec : command.params()) {
      if (spec.default_value) params.set(spec.name, *spec.default_value);
    }
    for (const auto& [name, value] : values) params.set(name, value);
    std::atomic<bool> stop{false};
    cvpipe::CommandContext ctx;
    ctx.out_dir = out_dir;
    ctx.quiet = true;
    ctx.stop = &stop;
    return command.run(params, ctx, output);
  }
  return cvpipe::Status::not_found("no train command");
}

class SharpenTest : public ::testing::Test {
 protected:
  // One short training run shared by every test (a few seconds on two cores).
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("sharpen_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    train_status_ = run_train({{"steps", std::int64_t{40}},
                               {"warmup", std::int64_t{5}},
                               {"log_every", std::int64_t{10}},
                               {"epoch_steps", std::int64_t{20}},
                               {"patch", std::int64_t{32}},
                               {"batch", std::int64_t{8}},
                               {"photos", std::string("aero1.jpg,home.jpg,orange.jpg")},
                               {"val_photos", std::string("baboon.jpg")},
                               {"val_crop", std::int64_t{128}},
                               {"model", (dir_ / "model.safetensors").string()}},
                              dir_, summary_);
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  static inline fs::path dir_;
  static inline cvpipe::Status train_status_;
  static inline std::string summary_;
};

TEST_F(SharpenTest, TrainingForAFewStepsLowersTheLoss) {
  ASSERT_OK(train_status_);
  EXPECT_NE(summary_.find("\"val_psnr\""), std::string::npos) << summary_;
  EXPECT_TRUE(fs::exists(dir_ / "model.safetensors"));
  EXPECT_TRUE(fs::exists(dir_ / "curves.png"));
  cvpipe::nn::MetricsLog log;
  ASSERT_OK(log.load(dir_ / "metrics.csv"));
  const auto loss = log.series("loss");
  ASSERT_GE(loss.size(), 2u);
  EXPECT_LT(loss.back().second, loss.front().second) << "first " << loss.front().second << ", last " << loss.back().second;
}

TEST_F(SharpenTest, SharpensGrayAndColourFramesWithTheTrainedModel) {
  ASSERT_OK(train_status_);
  for (const cv::Mat& image : {cvpipe::test::gray_image(101, 63), cvpipe::test::color_image(101, 63)}) {
    cv::Mat blurred;
    cv::GaussianBlur(image, blurred, cv::Size(), 1.5);
    StageHarness h(PluginFile{CVPIPE_PLUGIN_FILE}, "sharpen");
    ASSERT_OK(h.load_status());
    cvpipe::Frame out;
    ASSERT_OK(h.run_one(cvpipe::test::make_frame(blurred), out, {{"model", (dir_ / "model.safetensors").string()}}));
    ASSERT_EQ(out.image.size(), blurred.size());
    ASSERT_EQ(out.image.type(), blurred.type());
    EXPECT_GT(cvpipe::test::sharpness(out.image), cvpipe::test::sharpness(blurred));
  }
}

TEST_F(SharpenTest, StrengthZeroKeepsTheFrame) {
  ASSERT_OK(train_status_);
  const cv::Mat image = cvpipe::test::color_image(37, 23);
  StageHarness h(PluginFile{CVPIPE_PLUGIN_FILE}, "sharpen");
  cvpipe::Frame out;
  ASSERT_OK(h.run_one(cvpipe::test::make_frame(image), out,
                      {{"model", (dir_ / "model.safetensors").string()}, {"strength", "0"}}));
  EXPECT_EQ(cvpipe::test::max_abs_diff(out.image, image), 0.0);
}

TEST(Sharpen, RefusesToRunWithoutAModel) {
  StageHarness h(PluginFile{CVPIPE_PLUGIN_FILE}, "sharpen");
  EXPECT_STATUS(h.configure(), invalid_argument);
}

}  // namespace
