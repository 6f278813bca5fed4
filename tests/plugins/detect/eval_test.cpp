// `cvpipe eval detect` on a hand-labelled COCO folder (Messi's face in messi5.jpg): the metrics
// JSON, the --save drawings, and the errors for a detector whose classes the data does not have.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "support/process.hpp"
#include "cvpipe/testing/status_matchers.hpp"
#include "test_util.hpp"

namespace cvpipe::detect {
namespace {

class EvalDetect : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(test::sample("messi5.jpg"))) GTEST_SKIP() << "messi5.jpg not installed";
    std::filesystem::create_directories(tmp_.path() / "faces" / "images");
    std::filesystem::copy_file(test::sample("messi5.jpg"), tmp_.path() / "faces" / "images" / "messi5.jpg");
    std::ofstream(tmp_.path() / "faces" / "annotations.json")
        << R"({"images":[{"id":1,"file_name":"messi5.jpg","width":548,"height":342}],
               "categories":[{"id":1,"name":"face"}],
               "annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":[227,92,36,38]}]})";
  }
  Status eval(std::vector<std::pair<std::string, std::string>> texts, nlohmann::json& out) {
    texts.emplace_back("data", (tmp_.path() / "faces").string());
    std::string text;
    CommandContext ctx;
    ctx.quiet = true;
    Status st = run_eval(test::params_from(eval_params(), texts), ctx, text);
    if (st.ok()) out = nlohmann::json::parse(text);
    return st;
  }
  cvpipe::test::TempDir tmp_;
};

TEST_F(EvalDetect, HaarFaceOnAHandLabelledPhoto) {
  nlohmann::json j;
  const auto save = tmp_.path() / "drawn";
  ASSERT_OK(eval({{"backend", "haar"}, {"cascade", "face"}, {"save", save.string()}}, j));
  for (const char* key : {"map50", "map50_95", "precision", "recall", "ms_per_image", "n"}) EXPECT_TRUE(j.contains(key)) << key;
  // The true face is found and ranked above the one false face in the crowd behind him.
  EXPECT_DOUBLE_EQ(j["map50"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["recall"].get<double>(), 1.0);
  EXPECT_GT(j["map50_95"].get<double>(), 0.5);
  EXPECT_LT(j["map50_95"].get<double>(), 1.0);
  EXPECT_GT(j["precision"].get<double>(), 0.3);
  EXPECT_EQ(j["n"].get<int>(), 1);
  EXPECT_GT(j["ms_per_image"].get<double>(), 0.0);
  EXPECT_TRUE(std::filesystem::exists(save / "messi5.jpg"));
}

TEST_F(EvalDetect, ADetectorWithoutTheDatasetsClassesIsAnError) {
  nlohmann::json j;
  const Status st = eval({{"backend", "hog"}}, j);
  EXPECT_STATUS(st, invalid_argument);
  EXPECT_NE(st.message().find("(person) match none of the dataset's categories (face)"), std::string::npos) << st.message();
}

TEST_F(EvalDetect, AMissingImageNamesTheFile) {
  std::filesystem::remove(tmp_.path() / "faces" / "images" / "messi5.jpg");
  nlohmann::json j;
  const Status st = eval({{"backend", "haar"}}, j);
  EXPECT_STATUS(st, not_found);
  EXPECT_NE(st.message().find("messi5.jpg"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace cvpipe::detect
