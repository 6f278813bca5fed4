// Model files: metadata round trip and validation, loading, refusal of mismatched files, inference.
#include <fstream>
#include <limits>

#include <nlohmann/json.hpp>

#include "cvpipe/classify/classifier.hpp"
#include "cvpipe/nn/layer.hpp"
#include "cvpipe/nn/safetensors.hpp"
#include "cvpipe/testing/status_matchers.hpp"
#include "test_util.hpp"

namespace cvpipe::classify {
namespace {

using test::TempDir;
using test::tiny_spec;
using test::write_model;

TEST(ClassifyModelSpec, MetadataRoundTrip) {
  ModelSpec s = tiny_spec("lenet", 28, 3);
  s.class_names = {"cat", "dog", "bird"};
  s.fit = "letterbox";
  s.extra["test_accuracy"] = "0.99";
  ModelSpec back;
  const Status st = ModelSpec::from_metadata(s.to_metadata(), "m.safetensors", back);
  ASSERT_OK(st);
  EXPECT_EQ(back.arch, "lenet");
  EXPECT_EQ(back.input_width, 28);
  EXPECT_EQ(back.class_names, s.class_names);
  EXPECT_EQ(back.fit, "letterbox");
  EXPECT_FLOAT_EQ(back.std[0], 0.29f);
  EXPECT_EQ(back.extra.at("test_accuracy"), "0.99");
}

TEST(ClassifyModelSpec, BadMetadataIsRefusedWithTheKey) {
  const auto good = tiny_spec().to_metadata();
  ModelSpec out;
  auto without = [&](const std::string& key) {
    auto m = good;
    m.erase(key);
    return m;
  };
  Status st = ModelSpec::from_metadata(without("architecture"), "x.safetensors", out);
  EXPECT_STATUS(st, invalid_argument);
  EXPECT_NE(st.message().find("x.safetensors"), std::string::npos);
  EXPECT_NE(st.message().find("architecture"), std::string::npos);
  st = ModelSpec::from_metadata(without("class_names"), "x", out);
  EXPECT_NE(st.message().find("class_names"), std::string::npos);
  auto m = good;
  m["preprocessing"] = "{not json";
  st = ModelSpec::from_metadata(m, "x", out);
  EXPECT_NE(st.message().find("preprocessing"), std::string::npos);
  m = good;
  m["architecture"] = R"({"type":"ffdnet"})";
  st = ModelSpec::from_metadata(m, "x", out);
  EXPECT_NE(st.message().find("not a classify model"), std::string::npos) << st.message();
  m = good;
  m["architecture"] = R"({"type":"classify","name":"resnet"})";
  st = ModelSpec::from_metadata(m, "x", out);
  EXPECT_NE(st.message().find("resnet"), std::string::npos);
  ModelSpec s = tiny_spec();
  s.mean = {0.1f, 0.2f};
  EXPECT_FALSE(s.validate("x").ok());
  s = tiny_spec("lenet", 12);
  EXPECT_NE(s.validate("x").message().find("16x16"), std::string::npos);
}

TEST(ClassifyModelFile, LoadsAndPredicts) {
  TempDir dir;
  const auto file = dir.path / "m.safetensors";
  for (const std::string arch : {"cnn", "lenet"}) {
    const ModelSpec spec = tiny_spec(arch, arch == "cnn" ? 20 : 28);
    write_model(file, spec, spec);
    std::unique_ptr<Classifier> c;
    const Status st = Classifier::load(file, c);
    ASSERT_OK(st);
    EXPECT_EQ(c->num_classes(), 10);
    EXPECT_EQ(c->feature_dim(), arch == "cnn" ? 16 : 84);
    std::vector<cv::Mat> imgs = {cv::Mat(20, 20, CV_8UC1, cv::Scalar(0)), cv::Mat(33, 17, CV_8UC3, cv::Scalar(10, 200, 30)),
                                 cv::Mat(5, 90, CV_16UC1, cv::Scalar(1000))};
    cv::Mat probs, feats;
    c->set_max_batch(2);  // forces two chunks
    ASSERT_OK(c->predict(imgs, probs, &feats));
    ASSERT_EQ(probs.rows, 3);
    ASSERT_EQ(probs.cols, 10);
    ASSERT_EQ(feats.rows, 3);
    ASSERT_EQ(feats.cols, c->feature_dim());
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(cv::sum(probs.row(i))[0], 1.0, 1e-5);
    // The same image alone gives the same answer as inside a batch.
    std::vector<float> one;
    ASSERT_OK(c->predict(imgs[1], one));
    for (int k = 0; k < 10; ++k) EXPECT_NEAR(one[static_cast<std::size_t>(k)], probs.at<float>(1, k), 1e-5);
    // Empty image: an error naming its index.
    std::vector<cv::Mat> bad = {imgs[0], cv::Mat()};
    const Status e = c->predict(bad, probs);
    EXPECT_EQ(e.code(), StatusCode::invalid_argument);
    EXPECT_NE(e.message().find("image 1"), std::string::npos);
  }
}

// Metadata numbers beyond int are named with their value, never wrapped (2^40 used to read as 0).
TEST(ClassifyModelSpec, NumbersOutsideTheIntRangeAreNamedNotWrapped) {
  auto m = tiny_spec().to_metadata();
  m["architecture"] = R"({"type":"classify","name":"cnn","width":1099511627776})";
  ModelSpec out;
  Status st = ModelSpec::from_metadata(m, "x.safetensors", out);
  EXPECT_STATUS(st, invalid_argument);
  EXPECT_NE(st.message().find("'width' is 1099511627776, outside the int range"), std::string::npos) << st.message();
  m = tiny_spec().to_metadata();
  auto pre = nlohmann::json::parse(m["preprocessing"]);
  pre["height"] = 4294967324.0;  // 2^32 + 28: a wrap would read 28, a valid height
  m["preprocessing"] = pre.dump();
  st = ModelSpec::from_metadata(m, "x.safetensors", out);
  EXPECT_STATUS(st, invalid_argument);
  EXPECT_NE(st.message().find("'height' is"), std::string::npos) << st.message();
}

// A network whose output is NaN (here: the last bias poisoned after loading) gives an error naming the
// image, never "label 0, score 0".
TEST(ClassifyModelFile, NonFiniteOutputIsAnErrorNotALabel) {
  TempDir dir;
  const auto file = dir.path / "m.safetensors";
  write_model(file, tiny_spec(), tiny_spec());
  std::unique_ptr<Classifier> c;
  ASSERT_OK(Classifier::load(file, c));
  auto params = c->member_network(0).named_parameters();
  ASSERT_FALSE(params.empty());
  nn::Parameter& last = *params.back().param;  // the classifier layer's bias: the logits themselves
  last.value.from_vector(std::vector<float>(last.value.to_vector().size(), std::numeric_limits<float>::quiet_NaN()));
  last.mark_updated();
  std::vector<float> probs;
  const Status st = c->predict(cv::Mat(20, 20, CV_8UC1, cv::Scalar(100)), probs);
  EXPECT_STATUS(st, runtime_error);
  EXPECT_NE(st.message().find("image 0 is not finite"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(file.string()), std::string::npos) << st.message();
}

TEST(ClassifyModelFile, WrongClassCountIsRefused) {
  TempDir dir;
  const auto file = dir.path / "m.safetensors";
  ModelSpec meta = tiny_spec("cnn", 20, 9);
  write_model(file, tiny_spec("cnn", 20, 10), meta);
  std::unique_ptr<Classifier> c;
  const Status st = Classifier::load(file, c);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(c, nullptr);
  EXPECT_NE(st.message().find("9 class names"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("10 outputs"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(file.string()), std::string::npos) << st.message();
}

TEST(ClassifyModelFile, WrongInputSizeIsRefused) {
  TempDir dir;
  const auto file = dir.path / "m.safetensors";
  write_model(file, tiny_spec("lenet", 28), tiny_spec("lenet", 32));
  std::unique_ptr<Classifier> c;
  const Status st = Classifier::load(file, c);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("input size"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("[120, 256]"), std::string::npos) << st.message();  // what the file has
}

TEST(ClassifyModelFile, WrongChannelsIsRefused) {
  TempDir dir;
  const auto file = dir.path / "m.safetensors";
  ModelSpec meta = tiny_spec();
  meta.input_channels = 3;
  meta.mean = {0, 0, 0};
  meta.std = {1, 1, 1};
  write_model(file, tiny_spec(), meta);
  std::unique_ptr<Classifier> c;
  EXPECT_FALSE(Classifier::load(file, c).ok());
}

TEST(ClassifyModelFile, MissingTensorsAndBrokenFilesAreRefused) {
  TempDir dir;
  const auto file = dir.path / "m.safetensors";
  const ModelSpec spec = tiny_spec();
  write_model(file, spec, spec);
  nn::SafeTensors st;
  ASSERT_OK(nn::SafeTensors::load(file, st));
  ASSERT_TRUE(st.erase("head.1.weight"));
  ASSERT_OK(st.save(file));
  std::unique_ptr<Classifier> c;
  Status s = Classifier::load(file, c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("head.1.weight"), std::string::npos) << s.message();
  // Truncated file.
  write_model(file, spec, spec);
  const auto size = std::filesystem::file_size(file);
  std::filesystem::resize_file(file, size / 2);
  EXPECT_FALSE(Classifier::load(file, c).ok());
  // Not a classify model (no metadata).
  nn::SafeTensors plain;
  const float v[2] = {1, 2};
  plain.set_f32("x", {2}, v);
  ASSERT_OK(plain.save(file));
  s = Classifier::load(file, c);
  EXPECT_NE(s.message().find("not a cvpipe model file"), std::string::npos) << s.message();
  EXPECT_EQ(Classifier::load(dir.path / "nope.safetensors", c).code(), StatusCode::not_found);
}

}  // namespace
}  // namespace cvpipe::classify
