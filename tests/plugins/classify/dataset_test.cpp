// Dataset readers: digits.png split and labels, ImageFolder layouts and their errors.
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "cvpipe/classify/dataset.hpp"
#include "test_util.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::classify {
namespace {

using test::TempDir;

TEST(ClassifyDataset, DigitsSplits) {
  if (!test::digits_available()) GTEST_SKIP() << "digits.png not installed";
  LabeledImages train, test_split, all;
  ASSERT_OK(load_digits({}, Split::train, train));
  ASSERT_OK(load_digits({}, Split::test, test_split));
  ASSERT_OK(load_digits({}, Split::all, all));
  EXPECT_EQ(train.size(), 2500u);
  EXPECT_EQ(test_split.size(), 2500u);
  EXPECT_EQ(all.size(), 5000u);
  ASSERT_EQ(train.class_names.size(), 10u);
  EXPECT_EQ(train.class_names[7], "7");
  std::vector<int> count(10, 0);
  for (int l : train.labels) ++count[static_cast<std::size_t>(l)];
  for (int c : count) EXPECT_EQ(c, 250);
  // Row 5 (the first row of class 1), first train column / first test column.
  EXPECT_EQ(train.labels[5 * 50], 1);
  EXPECT_EQ(test_split.labels[49 * 50], 9);
  EXPECT_EQ(train.images[0].size(), cv::Size(20, 20));
  EXPECT_EQ(train.images[0].type(), CV_8UC1);
  // The test split starts at column 50 of row 0: compare with the sheet.
  const cv::Mat sheet = cv::imread((cvpipe::data_dir() / "digits.png").string(), cv::IMREAD_GRAYSCALE);
  EXPECT_EQ(cv::norm(sheet(cv::Rect(50 * 20, 0, 20, 20)), test_split.images[0], cv::NORM_INF), 0.0);
  train.limit_per_class(3);
  EXPECT_EQ(train.size(), 30u);
}

TEST(ClassifyDataset, DigitsErrors) {
  TempDir dir;
  LabeledImages d;
  EXPECT_EQ(load_digits(dir.path / "digits.png", Split::train, d).code(), StatusCode::not_found);
  cv::imwrite((dir.path / "small.png").string(), cv::Mat(100, 100, CV_8UC1, cv::Scalar(0)));
  const Status st = load_digits(dir.path / "small.png", Split::train, d);
  EXPECT_EQ(st.code(), StatusCode::invalid_argument);
  EXPECT_NE(st.message().find("2000x1000"), std::string::npos);
}

void make_class(const std::filesystem::path& dir, int n, int value) {
  std::filesystem::create_directories(dir);
  for (int i = 0; i < n; ++i)
    cv::imwrite((dir / ("img" + std::to_string(i) + ".png")).string(), cv::Mat(9 + i, 11, CV_8UC3, cv::Scalar(value, i, 0)));
}

TEST(ClassifyDataset, FolderWithFixedSplit) {
  TempDir dir;
  make_class(dir.path / "apple", 10, 10);
  make_class(dir.path / "pear", 5, 200);
  std::ofstream(dir.path / "pear" / "notes.txt") << "not an image";
  LabeledImages train, test_split, all;
  ASSERT_OK(load_folder(dir.path, Split::train, true, train));
  ASSERT_OK(load_folder(dir.path, Split::test, false, test_split));
  ASSERT_OK(load_folder(dir.path, Split::all, true, all));
  EXPECT_EQ(train.class_names, (std::vector<std::string>{"apple", "pear"}));
  EXPECT_EQ(train.size(), 8u + 4u);
  EXPECT_EQ(test_split.size(), 2u + 1u);
  EXPECT_EQ(all.size(), 15u);
  EXPECT_EQ(test_split.images[0].type(), CV_8UC1);
  EXPECT_EQ(train.images[0].type(), CV_8UC3);
  EXPECT_EQ(test_split.labels.back(), 1);
}

TEST(ClassifyDataset, FolderWithTrainTestFolders) {
  TempDir dir;
  make_class(dir.path / "train" / "a", 3, 0);
  make_class(dir.path / "train" / "b", 3, 0);
  make_class(dir.path / "val" / "a", 2, 0);
  make_class(dir.path / "val" / "b", 1, 0);
  LabeledImages train, test_split;
  ASSERT_OK(load_folder(dir.path, Split::train, false, train));
  ASSERT_OK(load_folder(dir.path, Split::test, false, test_split));
  EXPECT_EQ(train.size(), 6u);
  EXPECT_EQ(test_split.size(), 3u);
}

TEST(ClassifyDataset, FolderErrorsNameTheProblem) {
  TempDir dir;
  LabeledImages d;
  EXPECT_EQ(load_folder(dir.path / "missing", Split::train, false, d).code(), StatusCode::not_found);
  make_class(dir.path / "only", 3, 0);
  EXPECT_NE(load_folder(dir.path, Split::train, false, d).message().find("at least 2"), std::string::npos);
  make_class(dir.path / "second", 3, 0);
  std::ofstream(dir.path / "second" / "broken.png") << "garbage";
  const Status st = load_folder(dir.path, Split::all, false, d);
  EXPECT_EQ(st.code(), StatusCode::io_error);
  EXPECT_NE(st.message().find("broken.png"), std::string::npos);
  EXPECT_NE(load_dataset("mnist", {}, Split::train, false, d).message().find("unknown dataset"), std::string::npos);
  Split s;
  EXPECT_FALSE(parse_split("validation", s).ok());
}

}  // namespace
}  // namespace cvpipe::classify
