// Every imgproc stage through the harness: gray and color, 8 and 16 bits, odd sizes, empty input,
// and a well-formed parameter schema (docs, ranges).
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <map>
#include <set>

#include "cvpipe/testing/images.hpp"
#include "cvpipe/testing/stage_harness.hpp"
#include "plugin_registry.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::test {
namespace {

struct StageCase {
  std::string stage;
  ParamTexts params;
  std::set<int> unsupported_types;  // types the stage refuses with a clean `unsupported` Status
};

const std::vector<StageCase>& cases() {
  static const std::vector<StageCase> c = {
      {"resize", {{"width", "16"}}, {}},
      {"crop", {{"width", "2"}, {"height", "2"}}, {}},
      {"color", {{"to", "gray"}}, {}},
      {"gaussian_blur", {{"ksize", "3"}}, {}},
      {"median_blur", {{"ksize", "3"}}, {}},
      {"bilateral", {{"d", "5"}}, {}},
      {"nlmeans", {{"h", "5"}, {"template", "3"}, {"search", "7"}}, {}},
      {"inpaint_classic", {{"key_color", "0,0,0"}}, {}},
      {"draw", {}, {}},
      {"grid", {{"count", "4"}, {"tile_width", "16"}, {"tile_height", "12"}}, {}},
  };
  return c;
}

Frame test_frame(cv::Size size, int type) {
  Frame f = make_frame(pattern_image(size, type), "pattern.png", 3);
  f.detections.push_back(Detection{cv::Rect2f(0, 0, size.width / 2.f, size.height / 2.f), 1, "one", 0.9f});
  f.labels.push_back(Label{2, "two", 0.8f});
  return f;
}

class AllStages : public ::testing::TestWithParam<StageCase> {};

TEST_P(AllStages, GrayAndColorAtOddSizes) {
  const StageCase& c = GetParam();
  StageHarness h("imgproc", c.stage);
  ASSERT_OK(h.load_status());
  for (int type : common_types()) {
    for (cv::Size size : odd_sizes()) {
      SCOPED_TRACE(c.stage + " " + type_name(type) + " " + std::to_string(size.width) + "x" + std::to_string(size.height));
      Frame out;
      const Status st = h.run_one(test_frame(size, type), out, c.params);
      if (c.unsupported_types.count(type)) {
        EXPECT_STATUS(st, unsupported);
        EXPECT_NE(st.message().find(c.stage), std::string::npos) << st.message();
        continue;
      }
      ASSERT_OK(st);
      ASSERT_FALSE(out.image.empty());
      if (c.stage != "grid") {
        EXPECT_EQ(out.image.depth(), CV_MAT_DEPTH(type)) << "the stage changed the bit depth";
        EXPECT_EQ(out.seq, 3);
        EXPECT_EQ(out.source, "pattern.png");
      }
    }
  }
}

TEST_P(AllStages, EmptyImageIsAClearError) {
  const StageCase& c = GetParam();
  StageHarness h("imgproc", c.stage);
  ASSERT_OK(h.load_status());
  Frame out;
  const Status st = h.run_one(make_frame(cv::Mat(), "nothing.png", 5), out, c.params);
  EXPECT_STATUS(st, invalid_argument);
  EXPECT_NE(st.message().find("empty"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("nothing.png"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find("THREW"), std::string::npos) << st.message();
}

TEST_P(AllStages, SchemaHasDocsAndRanges) {
  const StageCase& c = GetParam();
  StageHarness h("imgproc", c.stage);
  ASSERT_OK(h.load_status());
  ASSERT_FALSE(h.schema().empty());
  for (const ParamSpec& p : h.schema()) {
    SCOPED_TRACE(c.stage + "." + p.name);
    EXPECT_FALSE(p.doc.empty());
    EXPECT_EQ(p.doc.find('\n'), std::string::npos) << "docs are one line";
    if (p.type == cvpipe::ParamType::integer || p.type == cvpipe::ParamType::number) {
      EXPECT_TRUE(p.min.has_value());
      EXPECT_TRUE(p.max.has_value());
    }
    EXPECT_TRUE(p.default_value.has_value()) << "imgproc parameters all have defaults";
  }
}

TEST_P(AllStages, RejectsUnknownParameterWithSuggestion) {
  const StageCase& c = GetParam();
  StageHarness h("imgproc", c.stage);
  ASSERT_OK(h.load_status());
  const std::string first = h.schema().front().name;
  const Status st = h.configure({{first + "x", "1"}});
  EXPECT_STATUS(st, invalid_argument);
  EXPECT_NE(st.message().find(first), std::string::npos) << st.message();
}

INSTANTIATE_TEST_SUITE_P(Imgproc, AllStages, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<StageCase>& info) { return info.param.stage; });

TEST(ImgprocPlugin, RegistersEveryDocumentedStage) {
  PluginRegistry reg;
  ASSERT_OK(reg.load_file(plugin_file("imgproc")));
  const auto* plugin = reg.find_plugin("imgproc");
  ASSERT_NE(plugin, nullptr);
  std::set<std::string> names;
  for (const auto* s : reg.stages_of(*plugin)) names.insert(s->entry->name);
  for (const auto& c : cases()) EXPECT_TRUE(names.count(c.stage)) << c.stage;
  EXPECT_EQ(names.size(), cases().size());
  EXPECT_NE(reg.find_stage("imgproc.resize"), nullptr);
}

}  // namespace
}  // namespace cvpipe::test
