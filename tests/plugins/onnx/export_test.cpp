// `cvpipe export`: every shipped model exports, passes the ONNX checker (the C++ one in export and
// the Python one with full shape inference here), carries its metadata, and OpenCV dnn reproduces
// the engine's output on the same seeded input within 1e-4 (max abs diff, f32). Bad input: exit 2
// or 1 with the file named, and nothing written.
#include <fstream>

#include "cvpipe/nn/onnx.hpp"
#include "onnx_test_common.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

struct Shipped {
  const char* name;
  const char* output;  // the graph output's name
};

class ExportShipped : public ::testing::TestWithParam<Shipped> {};

TEST_P(ExportShipped, CheckerAcceptsAndOpenCvMatchesTheEngine) {
  const Shipped s = GetParam();
  TempDir dir;
  const fs::path out = dir / (std::string(s.name) + ".onnx");
  const nlohmann::json r = export_shipped(s.name, out);
  ASSERT_TRUE(r.is_object()) << r;
  ASSERT_TRUE(r.contains("max_abs_diff")) << r.dump();
  EXPECT_LE(r.at("max_abs_diff").get<double>(), 1e-4) << r.dump();
  EXPECT_EQ(r.at("opset").get<int>(), nn::k_onnx_opset);

  const ProcessResult check = run_process(
      {CVPIPE_PYTHON, "-c", "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", out.string()},
      with_timeout(120));
  EXPECT_EQ(check.exit_code, 0) << check.describe();

  nn::OnnxFileInfo info;
  ASSERT_TRUE(nn::read_onnx_info(out, info).ok());
  EXPECT_EQ(info.opset, nn::k_onnx_opset);
  EXPECT_TRUE(info.metadata.count("architecture"));
  EXPECT_TRUE(info.metadata.count("preprocessing"));
  EXPECT_TRUE(info.metadata.count("cvpipe.consumer"));
  EXPECT_EQ(info.input_dims.size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(Models, ExportShipped,
                         ::testing::Values(Shipped{"classify_digits", "probabilities"}, Shipped{"denoise_gray", "noise"},
                                           Shipped{"denoise_color", "noise"}, Shipped{"gan_digits", "image"},
                                           Shipped{"detect_digits", "heads"}, Shipped{"inpaint", "residual"},
                                           Shipped{"colorize", "bin_logits"}, Shipped{"translate_night", "residual"}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Export, ClassifierKeepsItsClassNamesAndPreprocessing) {
  TempDir dir;
  const fs::path out = dir / "classify.onnx";
  ASSERT_TRUE(export_shipped("classify_digits", out).is_object());
  nn::OnnxFileInfo info;
  ASSERT_TRUE(nn::read_onnx_info(out, info).ok());
  const auto names = nlohmann::json::parse(info.metadata.at("class_names"));
  ASSERT_EQ(names.size(), 10u);
  EXPECT_EQ(names[3], "3");
  const auto pre = nlohmann::json::parse(info.metadata.at("preprocessing"));
  EXPECT_TRUE(pre.contains("mean")) << pre.dump();
  EXPECT_EQ(info.input_dims, (nn::Dims{0, 1, 20, 20}));
}

TEST(Export, CorruptModelFileIsAUsageErrorAndWritesNothing) {
  TempDir dir;
  std::ofstream(dir / "bad.safetensors") << "not a safetensors file";
  const ProcessResult r = cvpipe({"export", "bad.safetensors", "--onnx", "out.onnx"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("bad.safetensors"), std::string::npos) << r.describe();
  EXPECT_FALSE(fs::exists(dir / "out.onnx"));
}

TEST(Export, MissingModelAndMissingOnnxOptionAreUsageErrors) {
  TempDir dir;
  EXPECT_EQ(cvpipe({"export", "nope.safetensors", "--onnx", "out.onnx"}, dir.path()).exit_code, 2);
  EXPECT_EQ(cvpipe({"export", (source_dir() / "models/gan_digits.safetensors").string()}, dir.path()).exit_code, 2);
  EXPECT_TRUE(list_files(dir.path()).empty());
}

TEST(Export, UnwritableOutputFailsWithoutLeavingAFile) {
  TempDir dir;
  fs::create_directories(dir / "g.onnx");  // a folder where the file should go: the rename fails
  const ProcessResult r = cvpipe({"export", (source_dir() / "models/gan_digits.safetensors").string(), "--onnx",
                                  (dir / "g.onnx").string()},
                                 dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("g.onnx"), std::string::npos) << r.describe();
  EXPECT_TRUE(list_files(dir.path()).empty());
  EXPECT_TRUE(fs::is_directory(dir / "g.onnx"));
}

}  // namespace
}  // namespace cvpipe::test
