// The detect plugin through the built `cvpipe` binary: `cvpipe data digit-scenes` (same seed, same
// files; usage errors exit 2) and configs/video_people.yaml with --output / --set (an MP4, ids in
// the JSON lines).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cvpipe/data.hpp"
#include "support/process.hpp"

namespace cvpipe::test {
namespace {

ProcessResult cvpipe(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {CVPIPE_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, with_timeout(120));
}

std::string text_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(DetectCli, DigitScenesAreReproducible) {
  if (!std::filesystem::exists(data_dir() / "digits.png")) GTEST_SKIP() << "opencv-doc samples not installed";
  TempDir tmp;
  for (const char* name : {"a", "b"}) {
    const ProcessResult r = cvpipe({"data", "digit-scenes", "--split", "test", "--count", "3", "--seed", "5", "--out",
                                    (tmp.path() / name).string(), "--json", "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.out.find(R"("images":3)"), std::string::npos) << r.out;
  }
  const std::string a = text_of(tmp.path() / "a" / "annotations.json");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, text_of(tmp.path() / "b" / "annotations.json"));
  EXPECT_EQ(text_of(tmp.path() / "a" / "images" / "scene_000002.jpg"), text_of(tmp.path() / "b" / "images" / "scene_000002.jpg"));
}

TEST(DetectCli, UsageErrorsExit2) {
  TempDir tmp;
  ProcessResult r = cvpipe({"data", "digit-scenes", "--split", "val", "--out", tmp.path().string()});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("'val' is not one of: train, test"), std::string::npos) << r.err;
  r = cvpipe({"data", "digit-scene", "--out", tmp.path().string()});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("did you mean 'digit-scenes'"), std::string::npos) << r.err;
  r = cvpipe({"eval", "detect", "--data", (tmp.path() / "missing").string()});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
}

TEST(DetectCli, VideoPeopleConfigWritesTrackIds) {
  if (!std::filesystem::exists(data_dir() / "vtest.avi")) GTEST_SKIP() << "vtest.avi not installed";
  TempDir tmp;
  const auto out = tmp.path() / "people.jsonl", video = tmp.path() / "people.mp4";
  const ProcessResult r = cvpipe({"run", std::string(CVPIPE_SOURCE_DIR) + "/configs/video_people.yaml", "--max-frames", "12",
                                  "--output", video.string(), "--set", "sinks.1.path=" + out.string(), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_GT(std::filesystem::file_size(video), 1000u);
  std::ifstream in(out);
  int lines = 0, tracked = 0;
  for (std::string line; std::getline(in, line); ++lines) tracked += line.find(R"("track_id":)") != std::string::npos;
  EXPECT_EQ(lines, 12);
  EXPECT_GE(tracked, 3) << "a person walks in view from frame 6 on";
}

}  // namespace
}  // namespace cvpipe::test
