// The `inpaint` stage with each mask source (files, color, plane, detections), and its errors:
// no mask_dir, a missing mask file, a mask of the wrong size, a missing plane, a bad colour, a
// missing or truncated model file.
#include <gtest/gtest.h>

#include "inpaint_stage.hpp"
#include "masks.hpp"
#include "test_support.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::inpaint {
namespace {

namespace fs = std::filesystem;

class StageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir("stage");
    model_ = testing::random_model_file(dir_->path).string();
  }
  static void TearDownTestSuite() { delete dir_; }

  static Params params(std::vector<std::pair<std::string, ParamValue>> changes) {
    Params p;
    for (const auto& s : InpaintStage::params()) p.set(s.name, *s.default_value);
    p.set("model", model_);
    for (auto& [k, v] : changes) p.set(k, v);
    return p;
  }
  static Status configure(InpaintStage& stage, const Params& p) {
    StageContext ctx;
    ctx.threads = 1;
    return stage.configure(p, ctx);
  }
  static Status run(const Params& p, Frame& f) {
    InpaintStage stage;
    CVPIPE_RETURN_IF_ERROR(configure(stage, p));
    return stage.process(f);
  }
  static Frame frame(const std::string& source = "pic.jpg") {
    Frame f;
    f.image = testing::photo("fruits.jpg")(cv::Rect(40, 40, 80, 64)).clone();
    f.source = source;
    return f;
  }

  static testing::TempDir* dir_;
  static std::string model_;
};
testing::TempDir* StageTest::dir_ = nullptr;
std::string StageTest::model_;

// Pixels outside `hole` unchanged, inside changed somewhere.
void expect_filled(const cv::Mat& before, const cv::Mat& after, const cv::Mat& hole) {
  ASSERT_EQ(before.size(), after.size());
  ASSERT_EQ(before.type(), after.type());
  cv::Mat diff;
  cv::absdiff(before, after, diff);
  cv::cvtColor(diff, diff, cv::COLOR_BGR2GRAY);
  EXPECT_EQ(cv::countNonZero(diff & (hole == 0)), 0) << "known pixels changed";
  EXPECT_GT(cv::countNonZero(diff & hole), 0) << "the hole was not filled";
}

TEST_F(StageTest, MaskFiles) {
  const fs::path masks = dir_->path / "masks";
  fs::create_directories(masks);
  Frame f = frame("pic.jpg");
  const cv::Mat hole = testing::test_mask(f.image.size());
  cv::Mat stored;  // a colour mask file: any non-zero channel is hole
  cv::cvtColor(hole, stored, cv::COLOR_GRAY2BGR);
  ASSERT_TRUE(cv::imwrite((masks / "pic.png").string(), stored));
  const cv::Mat before = f.image.clone();
  for (const std::string method : {"cnn", "classic"}) {
    Frame g = f;
    g.image = before.clone();
    const Status st = run(params({{"mask", std::string("files")}, {"mask_dir", masks.string()}, {"method", method}}), g);
    ASSERT_OK(st);
    expect_filled(before, g.image, hole);
    EXPECT_EQ(std::get<int64_t>(g.meta.at("inpainted_pixels")), cv::countNonZero(hole));
  }
  Frame other = frame("missing.jpg");
  const Status missing = run(params({{"mask", std::string("files")}, {"mask_dir", masks.string()}}), other);
  EXPECT_EQ(missing.code(), StatusCode::not_found);
  EXPECT_NE(missing.message().find((masks / "missing.png").string()), std::string::npos) << missing.message();

  ASSERT_TRUE(cv::imwrite((masks / "small.png").string(), cv::Mat::zeros(10, 10, CV_8UC1)));
  Frame small = frame("small.jpg");
  const Status wrong = run(params({{"mask", std::string("files")}, {"mask_dir", masks.string()}}), small);
  EXPECT_EQ(wrong.code(), StatusCode::invalid_argument);
  EXPECT_NE(wrong.message().find("small.png"), std::string::npos) << wrong.message();
  EXPECT_NE(wrong.message().find("10x10"), std::string::npos) << wrong.message();
  EXPECT_NE(wrong.message().find("80x64"), std::string::npos) << wrong.message();

  InpaintStage stage;
  EXPECT_EQ(configure(stage, params({{"mask", std::string("files")}})).code(), StatusCode::invalid_argument) << "no mask_dir";
  EXPECT_EQ(configure(stage, params({{"mask", std::string("files")}, {"mask_dir", (dir_->path / "nope").string()}})).code(),
            StatusCode::invalid_argument);
}

TEST_F(StageTest, KeyColour) {
  Frame f = frame();
  const cv::Mat hole = testing::test_mask(f.image.size());
  f.image.setTo(cv::Scalar(255, 0, 255), hole);
  const cv::Mat before = f.image.clone();
  const Status st = run(params({{"mask", std::string("color")}}), f);
  ASSERT_OK(st);
  expect_filled(before, f.image, hole);
  EXPECT_EQ(cv::countNonZero(color_mask(f.image, cv::Scalar(255, 0, 255), 0) & hole), 0) << "no magenta left";

  Frame g = frame();
  g.image.setTo(cv::Scalar(0, 255, 0), hole);
  ASSERT_OK(run(params({{"mask", std::string("color")}, {"mask_color", std::string("0,255,0")}}), g));
  EXPECT_EQ(std::get<int64_t>(g.meta.at("inpainted_pixels")), cv::countNonZero(hole));
  InpaintStage stage;
  EXPECT_EQ(configure(stage, params({{"mask", std::string("color")}, {"mask_color", std::string("pink")}})).code(),
            StatusCode::invalid_argument);
}

TEST_F(StageTest, MaskPlane) {
  Frame f = frame();
  const cv::Mat hole = testing::test_mask(f.image.size());
  f.planes["mask"] = hole;
  const cv::Mat before = f.image.clone();
  ASSERT_OK(run(params({{"mask", std::string("plane")}}), f));
  expect_filled(before, f.image, hole);

  Frame none = frame();
  EXPECT_EQ(run(params({{"mask", std::string("plane")}}), none).code(), StatusCode::invalid_argument);
  Frame wrong = frame();
  wrong.planes["mask"] = cv::Mat::zeros(5, 5, CV_8UC1);
  const Status st = run(params({{"mask", std::string("plane")}}), wrong);
  EXPECT_EQ(st.code(), StatusCode::invalid_argument);
  EXPECT_NE(st.message().find("5x5"), std::string::npos) << st.message();
}

TEST_F(StageTest, DetectionsOfChosenClasses) {
  Frame f = frame();
  Detection person, car;
  person.box = {10.f, 12.f, 14.f, 20.f};
  person.label = "person";
  car.box = {50.f, 30.f, 16.f, 10.f};
  car.label = "car";
  f.detections = {person, car};
  const cv::Mat before = f.image.clone();
  ASSERT_OK(run(params({{"mask", std::string("detections")}, {"classes", std::string("person")}}), f));
  cv::Mat hole = cv::Mat::zeros(f.image.size(), CV_8UC1);
  hole(cv::Rect(10, 12, 14, 20)).setTo(255);
  expect_filled(before, f.image, hole);

  Frame none = frame();  // no detections: an all-zero mask passes the frame unchanged
  const cv::Mat untouched = none.image.clone();
  ASSERT_OK(run(params({{"mask", std::string("detections")}}), none));
  EXPECT_EQ(cv::norm(none.image, untouched, cv::NORM_INF), 0.0);
  EXPECT_EQ(std::get<int64_t>(none.meta.at("inpainted_pixels")), 0);
}

TEST_F(StageTest, GrowDilatesTheHole) {
  Frame f = frame();
  cv::Mat hole = cv::Mat::zeros(f.image.size(), CV_8UC1);
  hole.at<uchar>(30, 30) = 255;
  f.planes["mask"] = hole;
  ASSERT_OK(run(params({{"mask", std::string("plane")}, {"grow", int64_t{3}}}), f));
  const cv::Mat disc = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(7, 7));
  EXPECT_EQ(std::get<int64_t>(f.meta.at("inpainted_pixels")), cv::countNonZero(disc)) << "a radius-3 disc";
}

TEST_F(StageTest, MissingOrTruncatedModel) {
  InpaintStage stage;
  const Status missing = configure(stage, params({{"mask", std::string("plane")}, {"model", (dir_->path / "none.safetensors").string()}}));
  EXPECT_EQ(missing.code(), StatusCode::invalid_argument);
  EXPECT_NE(missing.message().find("none.safetensors"), std::string::npos) << missing.message();
  const fs::path cut = dir_->path / "cut.safetensors";
  fs::copy_file(model_, cut, fs::copy_options::overwrite_existing);
  fs::resize_file(cut, fs::file_size(cut) - 100);
  const Status truncated = configure(stage, params({{"mask", std::string("plane")}, {"model", cut.string()}}));
  EXPECT_EQ(truncated.code(), StatusCode::invalid_argument);
  EXPECT_NE(truncated.message().find("cut.safetensors"), std::string::npos) << truncated.message();
  // classic needs no model
  EXPECT_OK(configure(stage, params({{"mask", std::string("plane")}, {"method", std::string("classic")},
                                       {"model", (dir_->path / "none.safetensors").string()}})));
}

}  // namespace
}  // namespace cvpipe::inpaint
