// Module <-> safetensors: round trip of parameters and buffers with metadata, torch-style names,
// and one clear error listing every missing / unexpected / wrongly shaped tensor.
#include "cvpipe/nn/checkpoint.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/layers.hpp"
#include "cvpipe/nn/model_file.hpp"
#include "cvpipe/nn/containers.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::nn {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<Sequential> small_net(std::int64_t hidden = 8) {
  auto net = std::make_shared<Sequential>();
  net->emplace<Conv2d>("conv", 3, hidden, 3, 1, 1);
  net->emplace<BatchNorm2d>("bn", hidden);
  net->emplace<ReLU>("relu");
  net->emplace<Flatten>("flat");
  net->emplace<Linear>("fc", hidden * 4 * 4, 10);
  return net;
}

fs::path temp_file(const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("cvpipe_ckpt_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

TEST(Checkpoint, SaveLoadRoundTrip) {
  auto a = small_net();
  Rng rng(3);
  init_network(*a, InitScheme::torch_default, rng);
  // Non-trivial running stats.
  auto bufs = a->named_buffers();
  ASSERT_EQ(bufs.size(), 2u);
  EXPECT_EQ(bufs[0].name, "bn.running_mean");
  bufs[0].tensor.fill(0.5f);
  bufs[1].tensor.fill(2.0f);

  const auto path = temp_file("model.safetensors");
  ModelInfo info;
  info.architecture = R"({"type":"small"})";
  info.preprocessing = R"({"mean":0})";
  ASSERT_OK(save_model(path, *a, info));
  SafeTensors st;
  ASSERT_OK(SafeTensors::load(path, st));
  EXPECT_TRUE(st.contains("conv.weight"));
  EXPECT_EQ(st.find("conv.weight")->shape, (std::vector<std::int64_t>{8, 3, 3, 3}));
  EXPECT_TRUE(st.contains("fc.bias"));
  EXPECT_TRUE(st.contains("bn.running_var"));
  EXPECT_EQ(st.metadata.at("format"), "pt");

  auto b = small_net();
  const auto version = b->named_parameters()[0].param->version;
  ModelInfo read;
  ASSERT_OK(load_model(path, *b, &read));
  EXPECT_EQ(read.architecture, R"({"type":"small"})");
  auto pa = a->named_parameters(), pb = b->named_parameters();
  for (std::size_t i = 0; i < pa.size(); ++i) EXPECT_EQ(pa[i].param->value.to_vector(), pb[i].param->value.to_vector());
  EXPECT_GT(pb[0].param->version, version) << "loading marks parameters updated";
  EXPECT_EQ(b->named_buffers()[1].tensor.to_vector(), std::vector<float>(8, 2.0f));
  fs::remove_all(path.parent_path());
}

TEST(Checkpoint, Bf16StorageIsClose) {
  auto a = small_net();
  Rng rng(4);
  init_network(*a, InitScheme::kaiming, rng);
  SafeTensors st;
  export_module(*a, st, "", StDtype::BF16);
  EXPECT_EQ(st.find("conv.weight")->dtype, StDtype::BF16);
  auto b = small_net();
  ASSERT_OK(import_module(st, *b, "mem"));
  const auto va = a->named_parameters()[0].param->value.to_vector();
  const auto vb = b->named_parameters()[0].param->value.to_vector();
  for (std::size_t i = 0; i < va.size(); ++i) EXPECT_NEAR(va[i], vb[i], std::abs(va[i]) * 0.004 + 1e-30);
}

TEST(Checkpoint, MismatchesAreListedTogether) {
  auto a = small_net(8);
  SafeTensors st;
  export_module(*a, st);
  st.erase("fc.bias");
  st.set_f32("extra.weight", {1}, std::vector<float>{1});
  st.set_f32("bn.num_batches_tracked", {}, std::vector<float>{3});  // torch's counter: ignored
  auto b = small_net(4);  // conv/bn/fc shapes differ
  const auto before = b->named_parameters()[0].param->value.to_vector();
  const Status s = import_module(st, *b, "weights.safetensors");
  ASSERT_FALSE(s.ok());
  const std::string& m = s.message();
  EXPECT_NE(m.find("weights.safetensors"), std::string::npos) << m;
  EXPECT_NE(m.find("missing 1: fc.bias"), std::string::npos) << m;
  EXPECT_NE(m.find("unexpected 1: extra.weight"), std::string::npos) << m;
  EXPECT_NE(m.find("conv.weight (file [8, 3, 3, 3], network [4, 3, 3, 3])"), std::string::npos) << m;
  EXPECT_EQ(m.find("num_batches_tracked"), std::string::npos) << m;
  EXPECT_EQ(b->named_parameters()[0].param->value.to_vector(), before) << "nothing written on error";

  // Tolerances: a prefix, missing and unexpected allowed.
  SafeTensors pre;
  export_module(*a, pre, "G.");
  pre.erase("G.fc.bias");
  auto c = small_net(8);
  EXPECT_FALSE(import_module(pre, *c, "x", {.prefix = "G."}).ok());
  EXPECT_OK(import_module(pre, *c, "x", {.prefix = "G.", .allow_missing = true}));
  pre.set_f32("G.more", {1}, std::vector<float>{1});
  EXPECT_OK(import_module(pre, *c, "x", {.prefix = "G.", .allow_unexpected = true, .allow_missing = true}));
}

// Weights stored as integers (a converter that wrote I32) are refused at load, naming each tensor
// and its dtype; a step counter is the one integer a network file may hold.
TEST(Checkpoint, IntegerWeightsAreRefusedNamingTensorAndDtype) {
  auto a = small_net(8);
  SafeTensors st;
  export_module(*a, st);
  const StTensor* w = st.find("fc.weight");
  ASSERT_NE(w, nullptr);
  const std::vector<std::int64_t> shape = w->shape;
  std::vector<std::int64_t> ints(static_cast<std::size_t>(w->numel()), 1);
  StTensor as_int = StTensor::from_i64(shape, ints);
  as_int.dtype = StDtype::I32;
  std::vector<std::byte> data(ints.size() * 4);
  for (std::size_t i = 0; i < ints.size(); ++i) data[4 * i] = std::byte{1};
  as_int.data = std::move(data);
  st.set("fc.weight", as_int);
  st.set("bn.num_batches_tracked", StTensor::from_i64({}, std::vector<std::int64_t>{3}));
  auto b = small_net(8);
  const auto before = b->named_parameters().back().param->value.to_vector();
  const Status s = import_module(st, *b, "weights.safetensors");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::invalid_argument);
  EXPECT_NE(s.message().find("weights.safetensors"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("not floating point (F32, BF16, F16 or F64) 1: fc.weight (I32)"), std::string::npos)
      << s.message();
  EXPECT_EQ(b->named_parameters().back().param->value.to_vector(), before) << "nothing written on error";
}

TEST(Checkpoint, LoadErrorsNameTheFile) {
  auto net = small_net();
  const Status s = load_model("/nonexistent/model.safetensors", *net);
  EXPECT_EQ(s.code(), StatusCode::not_found);
  const auto path = temp_file("junk.safetensors");
  {
    std::ofstream(path) << "not a model";
  }
  const Status j = load_model(path, *net);
  EXPECT_FALSE(j.ok());
  EXPECT_NE(j.message().find(path.string()), std::string::npos);
  fs::remove_all(path.parent_path());
}

}  // namespace
}  // namespace cvpipe::nn
