// The classify stage over gray, color, odd-size, 16-bit and empty frames, whole frames and
// detection crops, and with the shipped model on real-world-looking digits.
#include <opencv2/imgproc.hpp>

#include "classify_stage.hpp"
#include "cvpipe/classify/dataset.hpp"
#include "test_util.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::classify {
namespace {

using test::make_params;
using test::TempDir;

struct StageFixture : ::testing::Test {
  TempDir dir;
  std::filesystem::path model = dir.path / "tiny.safetensors";
  void SetUp() override {
    const ModelSpec s = test::tiny_spec();
    test::write_model(model, s, s);
  }
  Status configure(ClassifyStage& stage, std::map<std::string, ParamValue> set) {
    if (!set.count("model")) set["model"] = model.string();
    StageContext ctx;
    ctx.instance_name = "digits";
    ctx.threads = 2;
    return stage.configure(make_params(ClassifyStage::params(), set), ctx);
  }
};

Frame frame_of(cv::Mat image, int64_t seq = 0) {
  Frame f;
  f.image = std::move(image);
  f.seq = seq;
  return f;
}

TEST_F(StageFixture, GrayColorOddSizeAnd16Bit) {
  ClassifyStage stage;
  ASSERT_OK(configure(stage, {{"top_k", int64_t{3}}}));
  StreamInfo in, out;
  ASSERT_OK(stage.open(in, out));
  EXPECT_EQ(stage.preferred_batch(), 16);
  std::vector<Frame> frames;
  frames.push_back(frame_of(cv::Mat(20, 20, CV_8UC1, cv::Scalar(30)), 0));
  frames.push_back(frame_of(cv::Mat(480, 641, CV_8UC3, cv::Scalar(200, 190, 180)), 1));
  frames.push_back(frame_of(cv::Mat(1, 1, CV_8UC1, cv::Scalar(255)), 2));
  frames.push_back(frame_of(cv::Mat(37, 3, CV_16UC1, cv::Scalar(40000)), 3));
  frames.push_back(frame_of(cv::Mat(13, 29, CV_8UC4, cv::Scalar(1, 2, 3, 255)), 4));
  ASSERT_OK(stage.process_batch(frames));
  for (const Frame& f : frames) {
    ASSERT_EQ(f.labels.size(), 3u) << "frame " << f.seq;
    EXPECT_GE(f.labels[0].score, f.labels[1].score);
    EXPECT_GE(f.labels[1].score, f.labels[2].score);
    EXPECT_EQ(f.labels[0].name, std::to_string(f.labels[0].id));
    EXPECT_EQ(f.image.empty(), false);
  }
  // One at a time gives the same labels; re-running replaces (not appends) labels.
  Frame again = frames[1];
  ASSERT_OK(stage.process(again));
  ASSERT_EQ(again.labels.size(), 3u);
  EXPECT_EQ(again.labels[0].id, frames[1].labels[0].id);
  EXPECT_NEAR(again.labels[0].score, frames[1].labels[0].score, 1e-5);
  EXPECT_OK(stage.close());
}

TEST_F(StageFixture, EmptyFrameIsAnErrorButOthersAreLabelled) {
  ClassifyStage stage;
  ASSERT_OK(configure(stage, {}));
  std::vector<Frame> frames;
  frames.push_back(frame_of(cv::Mat(20, 20, CV_8UC1, cv::Scalar(0)), 0));
  frames.push_back(frame_of(cv::Mat(), 7));
  const Status st = stage.process_batch(frames);
  EXPECT_EQ(st.code(), StatusCode::invalid_argument);
  EXPECT_NE(st.message().find("frame 7"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("digits"), std::string::npos) << "names the stage instance: " << st.message();
  EXPECT_EQ(frames[0].labels.size(), 1u);
  Frame empty;
  EXPECT_FALSE(stage.process(empty).ok());
}

TEST_F(StageFixture, ThresholdDropsUnsureLabels) {
  ClassifyStage stage;
  ASSERT_OK(configure(stage, {{"top_k", int64_t{10}}, {"threshold", 0.5}}));
  Frame f = frame_of(cv::Mat(20, 20, CV_8UC1, cv::Scalar(0)));
  ASSERT_OK(stage.process(f));
  EXPECT_LE(f.labels.size(), 1u);  // at most one class can have p >= 0.5
  for (const auto& l : f.labels) EXPECT_GE(l.score, 0.5f);
}

TEST_F(StageFixture, DetectionCropsGetLabels) {
  ClassifyStage stage;
  ASSERT_OK(configure(stage, {{"crops", std::string("detections")}, {"margin", 0.1}}));
  Frame f = frame_of(cv::Mat(100, 150, CV_8UC3, cv::Scalar(255, 255, 255)));
  Detection inside{cv::Rect2f(10, 10, 30, 40), -1, "object", 0.9f};
  Detection clipped{cv::Rect2f(130, 80, 50, 50), -1, "object", 0.8f};
  Detection outside{cv::Rect2f(500, 500, 10, 10), -1, "object", 0.7f};
  f.detections = {inside, clipped, outside};
  ASSERT_OK(stage.process(f));
  EXPECT_TRUE(f.labels.empty()) << "crops: detections leaves frame labels alone";
  for (int i = 0; i < 2; ++i) {
    EXPECT_GE(f.detections[static_cast<std::size_t>(i)].class_id, 0);
    EXPECT_EQ(f.detections[static_cast<std::size_t>(i)].label, std::to_string(f.detections[static_cast<std::size_t>(i)].class_id));
  }
  EXPECT_EQ(f.detections[2].class_id, -1);
  EXPECT_EQ(f.detections[2].label, "object");
}

TEST_F(StageFixture, BadModelsAreConfigureErrors) {
  ClassifyStage stage;
  Status st = configure(stage, {{"model", (dir.path / "missing.safetensors").string()}});
  EXPECT_EQ(st.code(), StatusCode::not_found);
  EXPECT_NE(st.message().find("missing.safetensors"), std::string::npos);
  const auto bad = dir.path / "bad.safetensors";
  test::write_model(bad, test::tiny_spec("cnn", 20, 10), test::tiny_spec("cnn", 20, 4));
  st = configure(stage, {{"model", bad.string()}});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("class names"), std::string::npos) << st.message();
  ClassifyStage unconfigured;
  Frame f = frame_of(cv::Mat(5, 5, CV_8UC1));
  EXPECT_FALSE(unconfigured.process(f).ok());
}

// The shipped model: real digits.png cells, and the same digits as "photos" (dark ink on light
// paper, larger, off-centre, in color) through the stage's default preprocessing.
TEST(ClassifyShippedModel, LabelsCellsAndPhotos) {
  ASSERT_TRUE(std::filesystem::exists(test::shipped_model())) << "the committed model models/classify_digits.safetensors is missing";
  if (!test::digits_available()) GTEST_SKIP() << "digits.png not installed";
  LabeledImages d;
  ASSERT_OK(load_digits({}, Split::test, d));
  ClassifyStage stage;
  StageContext ctx;
  ctx.threads = 2;
  ASSERT_OK(stage.configure(make_params(ClassifyStage::params(), {{"model", test::shipped_model().string()}}), ctx));
  std::vector<Frame> cells, photos;
  std::vector<int> truth;
  for (std::size_t i = 0; i < d.size(); i += 25) {
    cells.push_back(frame_of(d.images[i]));
    cv::Mat big, page(160, 230, CV_8UC1, cv::Scalar(0)), photo;
    cv::resize(d.images[i], big, {100, 100}, 0, 0, cv::INTER_CUBIC);
    big.copyTo(page(cv::Rect(100, 40, 100, 100)));
    page = 220 - page * 0.7;
    cv::cvtColor(page, photo, cv::COLOR_GRAY2BGR);
    photos.push_back(frame_of(photo));
    truth.push_back(d.labels[i]);
  }
  ASSERT_OK(stage.process_batch(cells));
  ASSERT_OK(stage.process_batch(photos));
  int ok_cells = 0, ok_photos = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    ok_cells += cells[i].labels.at(0).id == truth[i];
    ok_photos += photos[i].labels.at(0).id == truth[i];
  }
  EXPECT_GE(ok_cells, 97) << "of 100 test cells";
  EXPECT_GE(ok_photos, 95) << "of 100 synthetic photos";
}

}  // namespace
}  // namespace cvpipe::classify
