// Stage `onnx` (through the built plugin, as a pipeline runs it): labels from an exported shipped
// classifier equal the engine's probabilities; YOLO-style rows and columns decode, suppress
// duplicates and map to frame pixels; image output round-trips; bad models are refused in
// configure with the file named.
#include <fstream>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/classify/classifier.hpp"
#include "onnx_test_common.hpp"
#include "cvpipe/testing/images.hpp"
#include "cvpipe/testing/stage_harness.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

Frame frame_of(const cv::Mat& image, std::int64_t seq = 0) {
  Frame f;
  f.image = image;
  f.seq = seq;
  return f;
}

TEST(OnnxStage, ExportedClassifierGivesTheEngineProbabilities) {
  CVPIPE_SAMPLE_OR_SKIP(digits, "digits.png");
  TempDir dir;
  const fs::path model = dir / "classify.onnx";
  ASSERT_TRUE(export_shipped("classify_digits", model).is_object());
  std::unique_ptr<classify::Classifier> engine;
  ASSERT_TRUE(classify::Classifier::load(source_dir() / "models/classify_digits.safetensors", engine).ok());
  const auto& spec = engine->spec();
  ASSERT_EQ(spec.input_channels, 1);

  StageHarness h("onnx", "onnx");
  ASSERT_TRUE(h.loaded()) << h.load_status().message();
  auto exact = [](float v) {
    std::ostringstream o;
    o.precision(9);
    o << v;
    return o.str();
  };
  const std::string mean = exact(spec.mean[0]), sd = exact(spec.std[0]);
  ASSERT_TRUE(is_ok(h.configure({{"model", model.string()}, {"output", "labels"}, {"top_k", "10"},
                           {"mean", mean + " " + mean + " " + mean}, {"std", sd + " " + sd + " " + sd}})));
  ASSERT_TRUE(is_ok(h.open()));
  const cv::Mat sheet = cv::imread(digits.string(), cv::IMREAD_GRAYSCALE);
  double worst = 0;
  int agree = 0, n = 0;
  for (int row = 0; row < 50; row += 7) {
    for (int col = 50; col < 100; col += 9, ++n) {
      const cv::Mat cell = sheet(cv::Rect(col * 20, row * 20, 20, 20)).clone();
      Frame f = frame_of(cell, n);
      ASSERT_TRUE(is_ok(h.process(f)));
      ASSERT_EQ(f.labels.size(), 10u);
      std::vector<float> probs;
      ASSERT_TRUE(engine->predict(cell, probs, classify::InputMode::prepared).ok());
      for (const Label& l : f.labels) worst = std::max(worst, std::fabs(static_cast<double>(l.score) - probs[static_cast<std::size_t>(l.id)]));
      agree += f.labels[0].id == static_cast<int>(std::max_element(probs.begin(), probs.end()) - probs.begin());
      EXPECT_EQ(f.labels[0].name, spec.class_names[static_cast<std::size_t>(f.labels[0].id)]);
    }
  }
  EXPECT_EQ(agree, n);
  EXPECT_LE(worst, 1e-4) << "largest probability difference between OpenCV dnn and the engine";
}

// make_fixtures.py's boxes, in 64x64 input pixels: class 0 at (20, 20) 10x10 score 0.81 (a
// duplicate at (21, 20) is suppressed), class 1 at (45, 40) 12x20 score 0.76, class 1 at (50, 12)
// 6x6 score 0.3, one below the threshold.
void expect_fixture_boxes(const std::vector<Detection>& d, double sx, double sy) {
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].label, "cat");
  EXPECT_EQ(d[0].class_id, 0);
  EXPECT_NEAR(d[0].score, 0.81, 1e-5);
  EXPECT_NEAR(d[0].box.x, 15 / sx, 1e-3);
  EXPECT_NEAR(d[0].box.y, 15 / sy, 1e-3);
  EXPECT_NEAR(d[0].box.width, 10 / sx, 1e-3);
  EXPECT_NEAR(d[0].box.height, 10 / sy, 1e-3);
  EXPECT_EQ(d[1].label, "dog");
  EXPECT_NEAR(d[1].score, 0.76, 1e-5);
  EXPECT_NEAR(d[1].box.x, 39 / sx, 1e-3);
  EXPECT_NEAR(d[1].box.height, 20 / sy, 1e-3);
  EXPECT_NEAR(d[2].score, 0.3, 1e-5);
}

TEST(OnnxStage, YoloRowsAndColumnsDecodeToFramePixels) {
  const fs::path fx = onnx_fixtures();
  ASSERT_FALSE(fx.empty());
  for (const char* name : {"yolo_rows.onnx", "yolo_cols.onnx"}) {
    SCOPED_TRACE(name);
    StageHarness h("onnx", "onnx");
    // A 128x96 frame resized to the model's fixed 64x64 input: x scales by 0.5, y by 2/3.
    ASSERT_TRUE(is_ok(h.configure({{"model", (fx / name).string()}, {"output", "detections"}})));
    ASSERT_TRUE(is_ok(h.open()));
    Frame f = frame_of(color_image(128, 96));
    ASSERT_TRUE(is_ok(h.process(f)));
    expect_fixture_boxes(f.detections, 0.5, 64.0 / 96.0);
  }
}

TEST(OnnxStage, DetectStageBackendOnnxRunsTheSameModel) {
  const fs::path fx = onnx_fixtures();
  ASSERT_FALSE(fx.empty());
  StageHarness h("detect", "detect");
  ASSERT_TRUE(h.loaded()) << h.load_status().message();
  ASSERT_TRUE(is_ok(h.configure({{"backend", "onnx"}, {"model", (fx / "yolo_rows.onnx").string()}, {"score", "0.25"}})));
  ASSERT_TRUE(is_ok(h.open()));
  Frame f = frame_of(color_image(128, 96));
  ASSERT_TRUE(is_ok(h.process(f)));
  expect_fixture_boxes(f.detections, 0.5, 64.0 / 96.0);
}

TEST(OnnxStage, DetectionLayoutAndLabelsFileAreHonoured) {
  const fs::path fx = onnx_fixtures();
  ASSERT_FALSE(fx.empty());
  TempDir dir;
  std::ofstream(dir / "names.txt") << "first\nsecond\n";
  StageHarness h("onnx", "onnx");
  ASSERT_TRUE(is_ok(h.configure({{"model", (fx / "yolo_rows.onnx").string()}, {"output", "detections"}, {"layout", "rows"},
                           {"labels_file", (dir / "names.txt").string()}, {"score_threshold", "0.5"}})));
  ASSERT_TRUE(is_ok(h.open()));
  Frame f = frame_of(color_image(64, 64));
  ASSERT_TRUE(is_ok(h.process(f)));
  ASSERT_EQ(f.detections.size(), 2u);
  EXPECT_EQ(f.detections[0].label, "first");
  EXPECT_EQ(f.detections[1].label, "second");
  // Three names for two classes: refused when the output is decoded, naming both counts.
  std::ofstream(dir / "three.txt") << "a\nb\nc\n";
  ASSERT_TRUE(is_ok(h.configure({{"model", (fx / "yolo_rows.onnx").string()}, {"output", "detections"},
                           {"labels_file", (dir / "three.txt").string()}})));
  ASSERT_TRUE(is_ok(h.open()));
  Frame g = frame_of(color_image(64, 64));
  const Status s = h.process(g);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("2 classes but 3"), std::string::npos) << s.message();
}

TEST(OnnxStage, ImageOutputRoundTripsAnyFrameSize) {
  const fs::path fx = onnx_fixtures();
  ASSERT_FALSE(fx.empty());
  StageHarness h("onnx", "onnx");
  ASSERT_TRUE(is_ok(h.configure({{"model", (fx / "identity.onnx").string()}, {"output", "image"}})));
  ASSERT_TRUE(is_ok(h.open()));
  for (const cv::Mat& img : {color_image(50, 37), color_image(64, 64, CV_8U, 7)}) {
    Frame f = frame_of(img.clone());
    ASSERT_TRUE(is_ok(h.process(f)));
    ASSERT_EQ(f.image.size(), img.size());
    ASSERT_EQ(f.image.type(), CV_8UC3);
    EXPECT_LE(cv::norm(f.image, img, cv::NORM_INF), 1.0);
  }
  // A gray frame becomes the 3 channels the model wants; out_scale / out_offset apply.
  ASSERT_TRUE(is_ok(h.configure({{"model", (fx / "identity.onnx").string()}, {"output", "image"}, {"out_scale", "-255"},
                           {"out_offset", "255"}})));
  ASSERT_TRUE(is_ok(h.open()));
  const cv::Mat gray = gray_image(40, 30);
  Frame f = frame_of(gray.clone());
  ASSERT_TRUE(is_ok(h.process(f)));
  cv::Mat inverted, expect;
  cv::cvtColor(255 - gray, expect, cv::COLOR_GRAY2BGR);
  EXPECT_LE(cv::norm(f.image, expect, cv::NORM_INF), 1.0);
}

TEST(OnnxStage, BadModelsAreRefusedInConfigureNamingTheFile) {
  const fs::path fx = onnx_fixtures();
  ASSERT_FALSE(fx.empty());
  TempDir dir;
  std::ofstream(dir / "corrupt.onnx") << "\x08\x07garbage that is not a protobuf model";
  StageHarness h("onnx", "onnx");
  Status s = h.configure({{"model", (dir / "corrupt.onnx").string()}});
  EXPECT_EQ(s.code(), StatusCode::invalid_argument) << s.message();
  EXPECT_NE(s.message().find("corrupt.onnx"), std::string::npos) << s.message();

  s = h.configure({{"model", (fx / "rank2.onnx").string()}});
  EXPECT_EQ(s.code(), StatusCode::invalid_argument) << s.message();
  EXPECT_NE(s.message().find("rank2.onnx"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("rank 2"), std::string::npos) << s.message();

  s = h.configure({{"model", (fx / "identity.onnx").string()}, {"mean", "1 2"}});
  EXPECT_EQ(s.code(), StatusCode::invalid_argument) << s.message();
  EXPECT_NE(s.message().find("mean"), std::string::npos) << s.message();

  // Labels of an image-to-image model: its 4-D output is no [1, K] row.
  ASSERT_TRUE(is_ok(h.configure({{"model", (fx / "identity.onnx").string()}, {"output", "labels"}})));
  ASSERT_TRUE(is_ok(h.open()));
  Frame f = frame_of(color_image(32, 32));
  s = h.process(f);
  EXPECT_EQ(s.code(), StatusCode::invalid_argument) << s.message();
  EXPECT_NE(s.message().find("[1, K]"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace cvpipe::test
