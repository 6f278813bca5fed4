// ONNX import: a ResNet-style graph (make_fixtures.py: residual Add, grouped dilated conv, Resize,
// Concat, a flatten written as shape arithmetic) becomes an engine graph whose output matches
// OpenCV dnn's within 1e-4, that fine-tunes (loss goes down), and that `cvpipe import` then
// `cvpipe export` round-trip; unsupported ops are listed in one error with their node names.
#include <fstream>
#include <random>

#include "cvpipe/nn/loss.hpp"
#include "cvpipe/nn/onnx.hpp"
#include "cvpipe/nn/optim.hpp"
#include "onnx_test_common.hpp"
#include "cvpipe/testing/images.hpp"
#include "cvpipe/testing/stage_harness.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

TEST(OnnxImport, ResNetStyleMatchesOpenCvDnn) {
  const fs::path fx = onnx_fixtures();
  ASSERT_FALSE(fx.empty());
  nn::OnnxImport imported;
  const Status s = nn::import_onnx(fx / "resnet.onnx", {}, imported);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(imported.io.input_dims, (nn::Dims{0, 3, 32, 32}));
  EXPECT_EQ(imported.info.class_names.size(), 5u);
  imported.net->eval();
  double diff = -1;
  const Status c = nn::compare_with_opencv([&](const nn::Tensor& x) { return imported.net->forward(x); },
                                           fx / "resnet.onnx", {1, 3, 32, 32}, diff);
  ASSERT_TRUE(c.ok()) << c.message();
  EXPECT_LE(diff, 1e-4);
}

TEST(OnnxImport, ImportedClassifierFineTunes) {
  const fs::path fx = onnx_fixtures();
  ASSERT_FALSE(fx.empty());
  nn::OnnxImport imported;
  ASSERT_TRUE(nn::import_onnx(fx / "resnet.onnx", {}, imported).ok());
  nn::Graph& net = *imported.net;
  net.train(true);
  std::mt19937 rng(3);
  std::normal_distribution<float> g(0.f, 1.f);
  std::vector<float> x(8 * 3 * 32 * 32);
  for (auto& v : x) v = g(rng);
  const std::vector<int> labels{0, 1, 2, 3, 4, 0, 1, 2};
  const nn::Tensor input = nn::Tensor::from_vector({8, 3, 32, 32}, x);
  nn::Sgd opt(net.parameters(), nn::SgdOptions{.lr = 0.05});
  double first = 0, last = 0;
  for (int step = 0; step < 30; ++step) {
    opt.zero_grad();
    const nn::LossResult r = nn::cross_entropy(net.forward(input), labels);
    net.backward(r.grad);
    opt.step();
    if (step == 0) first = r.loss;
    last = r.loss;
  }
  EXPECT_LT(last, 0.5 * first) << "first " << first << ", last " << last;
}

TEST(OnnxImport, CliImportThenExportRoundTrips) {
  const fs::path fx = onnx_fixtures();
  ASSERT_FALSE(fx.empty());
  TempDir dir;
  ProcessResult r = cvpipe({"import", (fx / "resnet.onnx").string(), "--out", "resnet.safetensors", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  r = cvpipe({"export", "resnet.safetensors", "--onnx", "back.onnx", "--check", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_LE(j.at("max_abs_diff").get<double>(), 1e-4) << r.out;
  // The exported file computes what the original computes (OpenCV dnn on both).
  nn::OnnxImport again;
  ASSERT_TRUE(nn::import_onnx(dir / "back.onnx", {}, again).ok());
  again.net->eval();
  double diff = -1;
  ASSERT_TRUE(nn::compare_with_opencv([&](const nn::Tensor& x) { return again.net->forward(x); }, fx / "resnet.onnx",
                                      {1, 3, 32, 32}, diff)
                  .ok());
  EXPECT_LE(diff, 1e-4);
}

TEST(OnnxImport, UnsupportedOpsAreListedWithTheirNodesBeforeAnythingRuns) {
  const fs::path fx = onnx_fixtures();
  ASSERT_FALSE(fx.empty());
  nn::OnnxImport imported;
  const Status s = nn::import_onnx(fx / "mobilenetv3.onnx", {}, imported);
  EXPECT_EQ(s.code(), StatusCode::invalid_argument);
  for (const char* part : {"mobilenetv3.onnx", "node 'expand_hswish': HardSwish", "node 'se_hsigmoid': HardSigmoid",
                           "node 'relu6': Clip"})
    EXPECT_NE(s.message().find(part), std::string::npos) << part << " in: " << s.message();
  EXPECT_FALSE(imported.net);
  TempDir dir;
  const ProcessResult r = cvpipe({"import", (fx / "mobilenetv3.onnx").string(), "--out", "m.safetensors"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("expand_hswish"), std::string::npos) << r.describe();
  EXPECT_TRUE(list_files(dir.path()).empty());
}

TEST(OnnxImport, CorruptFileIsAUsageErrorNamingIt) {
  TempDir dir;
  std::ofstream(dir / "bad.onnx") << "\x08\x07 not a model";
  const ProcessResult r = cvpipe({"import", "bad.onnx", "--out", "m.safetensors"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("bad.onnx"), std::string::npos) << r.describe();
  EXPECT_FALSE(fs::exists(dir / "m.safetensors"));
}

TEST(OnnxImport, StageRuntimeCvpipeMatchesOpenCv) {
  const fs::path fx = onnx_fixtures();
  ASSERT_FALSE(fx.empty());
  std::vector<std::vector<Label>> labels;
  for (const char* runtime : {"opencv", "cvpipe"}) {
    StageHarness h("onnx", "onnx");
    const Status s = h.configure({{"model", (fx / "resnet.onnx").string()}, {"runtime", runtime}, {"top_k", "5"}});
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_TRUE(is_ok(h.open()));
    Frame f;
    f.image = color_image(40, 30);
    ASSERT_TRUE(is_ok(h.process(f)));
    labels.push_back(f.labels);
  }
  ASSERT_EQ(labels[0].size(), 5u);
  ASSERT_EQ(labels[1].size(), 5u);
  for (std::size_t k = 0; k < 5; ++k) {
    EXPECT_EQ(labels[0][k].id, labels[1][k].id);
    EXPECT_EQ(labels[1][k].name, std::string(1, static_cast<char>('a' + labels[1][k].id)));
    EXPECT_NEAR(labels[0][k].score, labels[1][k].score, 1e-4);
  }
}

}  // namespace
}  // namespace cvpipe::test
