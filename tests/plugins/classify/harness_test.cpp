// The classify stage through the shared stage harness (the real .so, schema validation as the
// config loader does it): every odd size and common type, empty input, bad parameters.
#include "cvpipe/testing/images.hpp"
#include "cvpipe/testing/stage_harness.hpp"
#include "test_util.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::classify {
namespace {

struct HarnessFixture : ::testing::Test {
  test::TempDir dir;
  std::filesystem::path model = dir.path / "tiny.safetensors";
  void SetUp() override {
    const ModelSpec s = test::tiny_spec();
    test::write_model(model, s, s);
  }
};

TEST_F(HarnessFixture, OddSizesAndTypes) {
  cvpipe::test::StageHarness h("classify", "classify");
  ASSERT_TRUE(h.loaded()) << h.load_status().message();
  std::vector<Frame> in, out;
  int64_t seq = 0;
  for (const cv::Size& size : cvpipe::test::odd_sizes())
    for (int type : cvpipe::test::common_types()) in.push_back(cvpipe::test::make_frame(cvpipe::test::pattern_image(size, type), "p.png", seq++));
  const Status st = h.run(in, out, {{"model", model.string()}, {"top_k", "2"}, {"batch", "5"}});
  ASSERT_OK(st);
  ASSERT_EQ(out.size(), in.size());
  for (const Frame& f : out) {
    ASSERT_EQ(f.labels.size(), 2u) << f.image.size() << " " << cvpipe::test::type_name(f.image.type());
    EXPECT_GE(f.labels[0].score, f.labels[1].score);
  }
}

TEST_F(HarnessFixture, EmptyInputIsACleanError) {
  cvpipe::test::StageHarness h("classify", "classify");
  ASSERT_TRUE(h.loaded()) << h.load_status().message();
  Frame out;
  const Status st = h.run_one(cvpipe::test::make_frame(cv::Mat()), out, {{"model", model.string()}});
  EXPECT_EQ(st.code(), StatusCode::invalid_argument);
  EXPECT_EQ(st.message().rfind("THREW:", 0), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("empty image"), std::string::npos) << st.message();
}

TEST_F(HarnessFixture, SchemaRefusesBadValues) {
  cvpipe::test::StageHarness h("classify", "classify");
  ASSERT_TRUE(h.loaded()) << h.load_status().message();
  EXPECT_FALSE(h.configure({{"model", model.string()}, {"top_k", "0"}}).ok());
  EXPECT_FALSE(h.configure({{"model", model.string()}, {"crops", "boxes"}}).ok());
  const Status st = h.configure({{"model", (dir.path / "none.safetensors").string()}});
  EXPECT_EQ(st.code(), StatusCode::invalid_argument) << "the host refuses a model file it cannot find";
  EXPECT_NE(st.message().find("none.safetensors"), std::string::npos) << st.message();
  EXPECT_OK(h.configure({{"model", model.string()}, {"crops", "detections"}, {"threshold", "0.2"}}));
}

}  // namespace
}  // namespace cvpipe::classify
