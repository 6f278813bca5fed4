// `cvpipe run` refusals that must happen before anything is written: an output that is the input
// (also through a symbolic link) is exit 2 with the input untouched; an image above the pixel
// budget (runtime.max_pixels) is a clear per-file error, exit 1, without decoding it; the final
// "N errors" line says frames were skipped only when some were; a video or jsonl target that is
// a folder, or in a folder that refuses new files, fails at open with the reason; a huge path is
// echoed shortened; a bad model file is exit 2 in run and eval alike.
#include <gtest/gtest.h>

#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "e2e_common.hpp"
#include "cvpipe/testing/images.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

const std::string& blur_config() {
  static const std::string config = (source_dir() / "configs/blur.yaml").string();
  return config;
}

TEST(RunRefusals, OutputThatIsTheInputIsRefusedBeforeRunning) {
  const TempDir dir;
  write_test_video(dir / "clip.avi", 5, {64, 48});
  const auto size = fs::file_size(dir / "clip.avi");
  const auto mtime = fs::last_write_time(dir / "clip.avi");
  fs::create_symlink(dir / "clip.avi", dir / "link.avi");
  for (const std::string output : {"clip.avi", "link.avi", "./sub/../clip.avi"}) {
    fs::create_directories(dir / "sub");
    const ProcessResult r = cvpipe({"run", blur_config(), "--input", "clip.avi", "--output", output, "--quiet"}, dir.path());
    EXPECT_EQ(r.exit_code, 2) << output << "\n" << r.describe();
    EXPECT_NE(r.err.find("would write over the input"), std::string::npos) << r.describe();
    EXPECT_NE(r.err.find("clip.avi"), std::string::npos) << r.describe();
    EXPECT_EQ(fs::file_size(dir / "clip.avi"), size);
    EXPECT_EQ(fs::last_write_time(dir / "clip.avi"), mtime);
  }
  // An images folder written into itself would replace its files too.
  fs::create_directories(dir / "photos");
  ASSERT_TRUE(cv::imwrite((dir / "photos/a.png").string(), color_image(32, 32)));
  const ProcessResult r = cvpipe({"run", blur_config(), "--input", "photos", "--output", "photos/", "--quiet"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("would write over the input"), std::string::npos) << r.describe();
}

TEST(RunRefusals, ImageAboveThePixelBudgetIsRefusedWithoutDecoding) {
  const TempDir dir;
  // 30000 x 30000 claimed by the header of a small PNG: decoding it would take 2.7 GB.
  std::vector<std::uint8_t> png;
  ASSERT_TRUE(cv::imencode(".png", color_image(8, 8), png));
  for (int k = 0; k < 4; ++k) png[16 + k] = png[20 + k] = static_cast<std::uint8_t>(30000u >> (24 - 8 * k));
  std::ofstream(dir / "huge.png", std::ios::binary).write(reinterpret_cast<const char*>(png.data()),
                                                          static_cast<std::streamsize>(png.size()));
  ProcessOptions limited;
  limited.timeout_s = 60;
  ProcessResult r = cvpipe({"run", blur_config(), "--input", "huge.png", "--output", "out", "--quiet"}, dir.path(), limited);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("huge.png"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("30000x30000 pixels exceed the budget of 100000000 pixels (runtime.max_pixels)"),
            std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("1 error during the run (1 failed frame skipped)"), std::string::npos) << r.describe();
  EXPECT_TRUE(list_files(dir / "out").empty());

  // The budget is runtime.max_pixels: a 64x64 image is refused under 4000 pixels, read under 4096.
  ASSERT_TRUE(cv::imwrite((dir / "small.png").string(), color_image(64, 64)));
  r = cvpipe({"run", blur_config(), "--input", "small.png", "--output", "out2", "--set", "runtime.max_pixels=4000", "--quiet"},
             dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("64x64 pixels exceed the budget of 4000 pixels"), std::string::npos) << r.describe();
  r = cvpipe({"run", blur_config(), "--input", "small.png", "--output", "out3", "--set", "runtime.max_pixels=4096", "--quiet"},
             dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  // Video frames are checked as the source delivers them.
  write_test_video(dir / "clip.avi", 3, {64, 48});
  r = cvpipe({"run", blur_config(), "--input", "clip.avi", "--output", "out4", "--set", "runtime.max_pixels=3000", "--quiet"},
             dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("a 64x48 frame exceeds the budget of 3000 pixels"), std::string::npos) << r.describe();
}


// A model file that cannot be used (cut short, or weights stored as integers) is a configuration
// error: exit 2 in `run` and in `eval` alike, naming the file and the reason.
TEST(RunRefusals, ABadModelFileIsExitTwoInRunAndEval) {
  const TempDir dir;
  const fs::path shipped = source_dir() / "models/classify_digits.safetensors";
  std::string bytes = read_text(shipped);
  std::ofstream(dir / "cut.safetensors", std::ios::binary).write(bytes.data(), 4000);
  const std::string f32 = "\"dtype\":\"F32\"", i32 = "\"dtype\":\"I32\"";  // same size: still well formed
  const size_t dtype = bytes.find(f32);
  ASSERT_NE(dtype, std::string::npos);
  bytes.replace(dtype, f32.size(), i32);
  std::ofstream(dir / "ints.safetensors", std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  const std::string config = (source_dir() / "configs/classify_digits.yaml").string();
  for (const auto& [file, why] : {std::pair<std::string, std::string>{"cut.safetensors", "invalid safetensors file"},
                                  {"ints.safetensors", "(I32)"}}) {
    const std::string model = (dir / file).string();
    const ProcessResult run = cvpipe({"run", config, "--set", "stages.classify.model=" + model, "--output", "o.jsonl", "-q"},
                                     dir.path());
    EXPECT_EQ(run.exit_code, 2) << run.describe();
    EXPECT_NE(run.err.find(model), std::string::npos) << run.describe();
    EXPECT_NE(run.err.find(why), std::string::npos) << run.describe();
    const ProcessResult eval = cvpipe({"eval", "classify", "--model", model, "--limit_per_class", "1", "-q"}, dir.path());
    EXPECT_EQ(eval.exit_code, 2) << eval.describe();
    EXPECT_NE(eval.err.find(model), std::string::npos) << eval.describe();
    EXPECT_NE(eval.err.find(why), std::string::npos) << eval.describe();
  }
}

// A huge path (here 100 KB, the most one argument may hold) is echoed shortened, not whole.
TEST(RunRefusals, AHugePathIsEchoedShortened) {
  const TempDir dir;
  const std::string path = "missing_" + std::string(100000, 'p') + ".png";
  const ProcessResult r = cvpipe({"run", blur_config(), "--input", path, "--output", "out"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err.substr(0, 2000);
  EXPECT_LT(r.err.size(), 4000u) << r.err.substr(0, 2000);
  EXPECT_NE(r.err.find("missing_ppp"), std::string::npos) << r.err.substr(0, 2000);
  EXPECT_NE(r.err.find("\u2026"), std::string::npos) << r.err.substr(0, 2000);
}

TEST(RunRefusals, UnwritableVideoOrJsonlTargetFailsAtOpenSayingWhy) {
  const TempDir dir;
  write_test_video(dir / "clip.avi", 3, {64, 48});
  for (const std::string output : {"taken.mp4", "taken.jsonl"}) {
    fs::create_directories(dir / output);
    const ProcessResult r = cvpipe({"run", blur_config(), "--input", "clip.avi", "--output", output, "--quiet"}, dir.path());
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_NE(r.err.find("cannot write '" + (dir / output).string() + "': it is a folder"), std::string::npos)
        << r.describe();
    EXPECT_EQ(r.err.find("Success"), std::string::npos) << r.describe();
  }
  // A folder that refuses new files: the reason (errno) once, not an error per frame.
  fs::create_directories(dir / "locked");
  fs::permissions(dir / "locked", fs::perms::owner_read | fs::perms::owner_exec);
  fs::path locked = dir / "locked";
  if (std::ofstream(locked / "probe").good()) locked = "/sys/kernel";  // root: sysfs refuses new files
  if (std::ofstream(locked / "probe").good()) GTEST_SKIP() << "no folder here refuses new files";
  const ProcessResult r = cvpipe({"run", blur_config(), "--input", "clip.avi", "--output", (locked / "v.mp4").string()},
                                 dir.path());
  fs::permissions(dir / "locked", fs::perms::owner_all);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("cannot create files in '" + locked.string() + "': Permission denied"), std::string::npos)
      << r.describe();
  EXPECT_EQ(r.err.find("cannot open a video writer"), std::string::npos) << r.describe();
}

}  // namespace
}  // namespace cvpipe::test
