// User path = engine path, onnx: digits.png test cells as files through configs/onnx_classify.yaml
// (the shipped classifier exported to ONNX with `cvpipe export`, run by the onnx stage on OpenCV dnn) get, file by
// file, the labels and probabilities of configs/classify_digits.yaml with `prepare: none` (the
// engine): same top-3 ids, scores equal within 1e-4 (both sinks round to 4 decimals).
#include <map>

#include <opencv2/imgcodecs.hpp>

#include "user_path.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

TEST(UserPath, OnnxClassifyMatchesTheEngine) {
  CVPIPE_SAMPLE_OR_SKIP(digits, "digits.png");
  const cv::Mat sheet = cv::imread(digits.string(), cv::IMREAD_GRAYSCALE);
  ASSERT_EQ(sheet.size(), cv::Size(2000, 1000));
  TempDir dir;
  int n = 0;
  for (int row = 0; row < 50; row += 2) {
    for (int col = 50; col < 100; col += 5, ++n) {
      const fs::path file = dir / ("cells/r" + std::to_string(row) + "_c" + std::to_string(col) + ".png");
      fs::create_directories(file.parent_path());
      ASSERT_TRUE(cv::imwrite(file.string(), sheet(cv::Rect(col * 20, row * 20, 20, 20))));
    }
  }
  // What the config's header tells a user to do first.
  const ProcessResult exported = cvpipe({"export", (source_dir() / "models/classify_digits.safetensors").string(), "--onnx",
                                         (dir / "classify_digits.onnx").string()},
                                        dir.path(), with_timeout(300));
  ASSERT_EQ(exported.exit_code, 0) << exported.describe();
  ASSERT_TRUE(run_shipped_config("onnx_classify.yaml", "cells", "onnx.jsonl",
                                 {"--set", "stages.0.params.model=" + (dir / "classify_digits.onnx").string()}, dir.path()));
  ASSERT_TRUE(run_shipped_config("classify_digits.yaml", "cells", "engine.jsonl",
                                 {"--set", "stages.0.params.prepare=none"}, dir.path()));
  std::map<std::string, nlohmann::json> engine;
  for (const auto& line : read_jsonl(dir / "engine.jsonl")) engine[line.at("source")] = line.at("labels");
  const auto onnx = read_jsonl(dir / "onnx.jsonl");
  ASSERT_EQ(static_cast<int>(onnx.size()), n);
  ASSERT_EQ(static_cast<int>(engine.size()), n);
  double worst = 0;
  for (const auto& line : onnx) {
    const auto& ours = line.at("labels");
    const auto& theirs = engine.at(line.at("source"));
    ASSERT_EQ(ours.size(), 3u) << line.dump();
    ASSERT_EQ(theirs.size(), 3u) << theirs.dump();
    for (std::size_t k = 0; k < 3; ++k) {
      EXPECT_EQ(ours[k].at("id"), theirs[k].at("id")) << line.dump() << " vs " << theirs.dump();
      worst = std::max(worst, std::fabs(ours[k].at("score").get<double>() - theirs[k].at("score").get<double>()));
    }
  }
  EXPECT_LE(worst, 1.01e-4);
}

}  // namespace
}  // namespace cvpipe::test
