// User path = measured path, classify: digits.png test-split cells saved as PNG files (one folder
// per class) through configs/classify_digits.yaml get the accuracy `cvpipe eval classify` measures
// on the same files. The cells are the model's own input already, so the pipeline must not change
// them: the two accuracies may differ by at most one cell (batching may reorder float sums).
#include <opencv2/imgcodecs.hpp>

#include "user_path.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

TEST(UserPath, ClassifyDigitsCellsAsFiles) {
  CVPIPE_SAMPLE_OR_SKIP(digits, "digits.png");
  const cv::Mat sheet = cv::imread(digits.string(), cv::IMREAD_GRAYSCALE);
  ASSERT_EQ(sheet.size(), cv::Size(2000, 1000));
  TempDir dir;
  // All 2500 test cells (columns 50-99; rows 5c..5c+4 are class c): the mapping that pictures
  // which are no cells need changed 15 of them (net 3 more errors), scattered over the split.
  int n = 0;
  for (int row = 0; row < 50; ++row) {
    for (int col = 50; col < 100; ++col, ++n) {
      const int label = row / 5;
      const fs::path file = dir / ("cells/" + std::to_string(label) + "/d" + std::to_string(label) + "_r" +
                                   std::to_string(row) + "_c" + std::to_string(col) + ".png");
      fs::create_directories(file.parent_path());
      ASSERT_TRUE(cv::imwrite(file.string(), sheet(cv::Rect(col * 20, row * 20, 20, 20))));
    }
  }
  const nlohmann::json eval = eval_json("classify", {"--dataset", "folder", "--data", "cells", "--split", "all"}, dir.path());
  ASSERT_TRUE(eval.is_object());
  ASSERT_EQ(eval.value("n", 0), n) << eval.dump();

  ASSERT_TRUE(run_shipped_config("classify_digits.yaml", "cells/*/*.png", "labels.jsonl", {}, dir.path()));
  const auto lines = read_jsonl(dir / "labels.jsonl");
  ASSERT_EQ(static_cast<int>(lines.size()), n);
  int correct = 0;
  for (const auto& line : lines) {
    const std::string source = line.at("source");  // d<label>_r<row>_c<col>.png
    correct += line.at("labels").at(0).at("id").get<int>() == std::stoi(source.substr(1, source.find('_') - 1));
  }
  const double accuracy = static_cast<double>(correct) / n;
  EXPECT_NEAR(accuracy, eval.at("accuracy").get<double>(), 1.0 / n + 1e-9)
      << "cvpipe run: " << correct << " of " << n << " cells right; cvpipe eval: " << eval.dump();
  EXPECT_GE(accuracy, 0.99) << "the shipped model's test accuracy (99.00 % in eval)";
}

}  // namespace
}  // namespace cvpipe::test
