// PyTorch cross-check (optional: skipped unless `/usr/bin/python3 -c "import torch"` works).
// tests/nn/torch/make_crosscheck.py builds LeNet-5 and a U-Net-style block in torch, runs a
// training step and an eval forward and saves weights + references to safetensors; here the same
// nets are built from nn layers, loaded from those files (exercising the safetensors reader on an
// independent writer and torch state_dict names) and must reproduce the outputs, losses, input
// and parameter gradients, BN running statistics and eval outputs to ~1e-4 relative.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "cvpipe/nn/checkpoint.hpp"
#include "cvpipe/nn/layers.hpp"
#include "cvpipe/nn/loss.hpp"
#include "cvpipe/nn/module.hpp"

namespace cvpipe::nn {
namespace {

namespace fs = std::filesystem;

constexpr double k_tol = 1e-4;

class TorchCrossCheck : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0) {
      skip_ = "PyTorch is not installed for /usr/bin/python3 (Debian python3-torch)";
      return;
    }
    dir_ = fs::temp_directory_path() / fmt::format("cvpipe_torch_{}", ::getpid());
    fs::create_directories(dir_);
    const std::string cmd = fmt::format("/usr/bin/python3 {}/tests/nn/torch/make_crosscheck.py {} >/dev/null", CVPIPE_SOURCE_DIR,
                                        dir_.string());
    generated_ = std::system(cmd.c_str()) == 0;
  }
  static void TearDownTestSuite() {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(generated_) << "tests/nn/torch/make_crosscheck.py failed";
  }

  static SafeTensors load(const std::string& name) {
    SafeTensors st;
    const Status s = SafeTensors::load(dir_ / name, st);
    EXPECT_TRUE(s.ok()) << s.message();
    return st;
  }
  static std::vector<float> ref(const SafeTensors& st, const std::string& name) {
    const StTensor* t = st.find(name);
    EXPECT_NE(t, nullptr) << name;
    return t ? t->to_f32() : std::vector<float>{};
  }
  static Dims ref_dims(const SafeTensors& st, const std::string& name) {
    const StTensor* t = st.find(name);
    return t ? Dims(t->shape.begin(), t->shape.end()) : Dims{};
  }
  // max |got - want| <= tol * max |want| (+ a tiny absolute floor for all-zero references).
  static void expect_close(const std::vector<float>& got, const std::vector<float>& want, const std::string& what,
                           double tol = k_tol) {
    ASSERT_EQ(got.size(), want.size()) << what;
    double scale = 0, worst = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
      scale = std::max(scale, static_cast<double>(std::abs(want[i])));
      worst = std::max(worst, static_cast<double>(std::abs(got[i] - want[i])));
    }
    EXPECT_LE(worst, tol * scale + 1e-7) << what << ": max abs diff " << worst << " vs max |ref| " << scale;
  }

  static inline std::string skip_;
  static inline fs::path dir_;
  static inline bool generated_ = false;
};

TEST_F(TorchCrossCheck, LeNet) {
  const SafeTensors st = load("lenet.safetensors");
  Sequential net;
  net.emplace<Conv2d>("conv1", 3, 6, 5);
  net.emplace<ReLU>("relu1");
  net.emplace<MaxPool2d>("pool1", 2);
  net.emplace<Conv2d>("conv2", 6, 16, 5);
  net.emplace<ReLU>("relu2");
  net.emplace<MaxPool2d>("pool2", 2);
  net.emplace<Flatten>("flatten");
  net.emplace<Linear>("fc1", 400, 120);
  net.emplace<ReLU>("relu3");
  net.emplace<Linear>("fc2", 120, 84);
  net.emplace<ReLU>("relu4");
  net.emplace<Linear>("fc3", 84, 10);
  const Status s = import_module(st, net, "lenet.safetensors", {.allow_unexpected = true});
  ASSERT_TRUE(s.ok()) << s.message();

  const Tensor x = Tensor::from_vector(ref_dims(st, "ref.input"), ref(st, "ref.input"));
  std::vector<int> labels;
  for (auto v : st.find("ref.labels")->to_i64()) labels.push_back(static_cast<int>(v));
  net.train();
  net.zero_grad();
  const Tensor y = net.forward(x);
  expect_close(y.to_vector(), ref(st, "ref.output"), "output");
  const LossResult loss = cross_entropy(y, labels, {.label_smoothing = 0.1f});
  EXPECT_NEAR(loss.loss, ref(st, "ref.loss")[0], 1e-5 * std::abs(ref(st, "ref.loss")[0]));
  const Tensor dx = net.backward(loss.grad);
  ASSERT_TRUE(dx.defined());
  expect_close(dx.to_vector(), ref(st, "ref.input_grad"), "input grad");
  for (const auto& p : net.named_parameters()) expect_close(p.param->grad.to_vector(), ref(st, "ref.grad." + p.name), "grad " + p.name);

  net.eval();
  expect_close(net.forward(x).to_vector(), ref(st, "ref.eval_output"), "eval output");
}

TEST_F(TorchCrossCheck, UNetBlock) {
  const SafeTensors st = load("unet_block.safetensors");
  auto enc = std::make_shared<Sequential>();
  enc->emplace<Conv2d>("0", 3, 8, 3, 1, 1);
  enc->emplace<BatchNorm2d>("1", 8);
  enc->emplace<ReLU>("2");
  enc->emplace<Conv2d>("3", 8, 8, 3, 1, 1);
  enc->emplace<BatchNorm2d>("4", 8);
  enc->emplace<ReLU>("5");
  Graph net(1);
  const int e = net.add("enc", enc, {net.input()});
  const int pool = net.emplace<MaxPool2d>("pool", {e}, 2);
  const int up = net.emplace<ConvTranspose2d>("up", {pool}, 8, 8, 2, 2);
  const int cat = net.emplace<Concat>("cat", {up, e});
  net.emplace<Conv2d>("out", {cat}, 16, 4, 3, 1, 1);
  const Status s = import_module(st, net, "unet_block.safetensors", {.allow_unexpected = true});
  ASSERT_TRUE(s.ok()) << s.message();

  const Tensor x = Tensor::from_vector(ref_dims(st, "ref.input"), ref(st, "ref.input"));
  const Tensor target = Tensor::from_vector(ref_dims(st, "ref.target"), ref(st, "ref.target"));
  net.train();
  net.zero_grad();
  const Tensor y = net.forward(x);
  expect_close(y.to_vector(), ref(st, "ref.output"), "output");
  const LossResult l1 = l1_loss(y, target);
  const LossResult mse = mse_loss(y, target);
  EXPECT_NEAR(l1.loss + mse.loss, ref(st, "ref.loss")[0], 1e-5 * std::abs(ref(st, "ref.loss")[0]));
  std::vector<float> g = l1.grad.to_vector();
  const std::vector<float> g2 = mse.grad.to_vector();
  for (std::size_t i = 0; i < g.size(); ++i) g[i] += g2[i];
  const Tensor dx = net.backward(Tensor::from_vector(y.dims(), g));
  ASSERT_TRUE(dx.defined());
  expect_close(dx.to_vector(), ref(st, "ref.input_grad"), "input grad");
  for (const auto& p : net.named_parameters()) expect_close(p.param->grad.to_vector(), ref(st, "ref.grad." + p.name), "grad " + p.name);
  for (const auto& b : net.named_buffers()) expect_close(b.tensor.to_vector(), ref(st, "ref.after." + b.name), "buffer " + b.name);

  net.eval();
  expect_close(net.forward(x).to_vector(), ref(st, "ref.eval_output"), "eval output");
}

}  // namespace
}  // namespace cvpipe::nn
