// Sequential and Graph: parameter naming, train/eval behaviour (BN), container fusions and
// in-place activations (results equal the unfused, out-of-place ones), gradient checks through a
// DAG with Add and Concat skip connections, and bf16 compute through a whole network.
#include <gtest/gtest.h>

#include "cvpipe/nn/layers.hpp"
#include "cvpipe/nn/containers.hpp"
#include "support/nn_test_util.hpp"

namespace cvpipe::nn {
namespace {

using namespace testing;

std::shared_ptr<Sequential> conv_bn_relu(std::int64_t in, std::int64_t out) {
  auto s = std::make_shared<Sequential>();
  s->emplace<Conv2d>("conv", in, out, 3, 1, 1);
  s->emplace<BatchNorm2d>("bn", out);
  s->emplace<ReLU>("relu");
  return s;
}

// A tiny U-Net-style block: enc -> down -> mid -> up -> concat(enc) -> conv, plus an Add skip.
std::shared_ptr<Graph> unet_block() {
  auto g = std::make_shared<Graph>();
  int x = g->input();
  int enc = g->add("enc", conv_bn_relu(2, 4), {x});
  int down = g->emplace<MaxPool2d>("down", {enc}, 2);
  int mid = g->add("mid", conv_bn_relu(4, 4), {down});
  int up = g->emplace<Upsample>("up", {mid}, 2.f, Upsample::Mode::nearest);
  int skip = g->emplace<Add>("skip", {up, enc});
  int cat = g->emplace<Concat>("cat", {skip, enc});
  g->emplace<Conv2d>("head", {cat}, 8, 3, 3, 1, 1);
  return g;
}

TEST(Module, NamedParametersAreDottedLikeTorch) {
  auto g = unet_block();
  std::vector<std::string> names;
  for (auto& np : g->named_parameters()) names.push_back(np.name);
  EXPECT_EQ(names, (std::vector<std::string>{"enc.conv.weight", "enc.conv.bias", "enc.bn.weight", "enc.bn.bias",
                                             "mid.conv.weight", "mid.conv.bias", "mid.bn.weight", "mid.bn.bias",
                                             "head.weight", "head.bias"}));
  std::vector<std::string> bufs;
  for (auto& nb : g->named_buffers()) bufs.push_back(nb.name);
  EXPECT_EQ(bufs, (std::vector<std::string>{"enc.bn.running_mean", "enc.bn.running_var", "mid.bn.running_mean",
                                            "mid.bn.running_var"}));
  Sequential s;
  s.add(std::make_shared<Linear>(4, 3)).add(std::make_shared<ReLU>()).add(std::make_shared<Linear>(3, 2));
  std::vector<std::string> sn;
  for (auto& np : s.named_parameters()) sn.push_back(np.name);
  EXPECT_EQ(sn, (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  EXPECT_THROW(g->add("enc", std::make_shared<ReLU>(), {0}), Error);     // duplicate name
  EXPECT_THROW(g->add("bad", std::make_shared<ReLU>(), {99}), Error);    // unknown input
  EXPECT_THROW(g->add("two", std::make_shared<ReLU>(), {0, 1}), Error);  // arity
}

TEST(Module, GraphGradientCheckWithAddAndConcatSkips) {
  auto g = unet_block();
  randomize(*g, 100);
  for (auto& nb : g->named_buffers()) (void)nb;
  grad_check(*g, Tensor::from_vector({2, 2, 6, 6}, random_vec(144, 101)), {.eps = 1e-3f, .atol = 4e-3, .rtol = 3e-2, .max_points = 12});
}

TEST(Module, SequentialGradientCheckWithInPlaceActivations) {
  Sequential s;
  s.emplace<Conv2d>("c1", 2, 4, 3, 1, 1);
  s.emplace<ReLU>("r1");  // in place over c1's output
  s.emplace<MaxPool2d>("p1", 2);
  s.emplace<Conv2d>("c2", 4, 3, 3, 1, 1);
  s.emplace<Tanh>("t2");
  s.emplace<Flatten>("flat");
  s.emplace<Linear>("fc", 3 * 3 * 3, 4);
  s.emplace<LogSoftmax>("out");
  randomize(s, 110);
  grad_check(s, Tensor::from_vector({2, 2, 6, 6}, random_vec(144, 111)), {.eps = 1e-3f, .max_points = 12});
  EXPECT_TRUE(s.at(1).inplace());
  EXPECT_TRUE(s.at(4).inplace());
}

TEST(Module, BatchNormTrainEvalBehaviour) {
  auto s = conv_bn_relu(2, 3);
  randomize(*s, 120);
  Tensor x = Tensor::from_vector({4, 2, 5, 5}, random_vec(200, 121, 0.f, 3.f));
  Vec y_train = s->forward(x).to_vector();
  auto& bn = static_cast<BatchNorm2d&>(s->at(1));
  Vec rm = bn.running_mean().to_vector();
  EXPECT_NE(rm, Vec(3, 0.f)) << "training forward updates running stats";
  // batch statistics: per channel, pre-activation output has mean beta (checked through ReLU-free BN)
  s->eval();
  Vec y_eval1 = s->forward(x).to_vector();
  Vec y_eval2 = s->forward(x).to_vector();
  EXPECT_EQ(y_eval1, y_eval2) << "eval is deterministic and does not update stats";
  EXPECT_EQ(bn.running_mean().to_vector(), rm);
  EXPECT_FALSE(close(y_eval1, y_train, 1e-3)) << "eval uses running stats, not batch stats";
  EXPECT_THROW(s->backward(Tensor::zeros({4, 3, 5, 5})), Error) << "no backward after an eval forward";
  s->train();
  EXPECT_TRUE(close(s->forward(x).to_vector(), y_train, 1e-5)) << "train mode uses batch stats again";
}

TEST(Module, EvalFusionMatchesUnfusedEval) {
  auto make = [] {
    auto s = std::make_shared<Sequential>();
    s->emplace<Conv2d>("c1", 3, 8, 3, 1, 1);
    s->emplace<BatchNorm2d>("b1", 8);
    s->emplace<ReLU>("r1");
    s->emplace<Conv2d>("c2", 8, 8, 3, 1, 1);
    s->emplace<ReLU>("r2");
    s->emplace<Conv2d>("c3", 8, 4, 3, 2, 1);
    s->emplace<BatchNorm2d>("b3", 4);
    randomize(*s, 130, -0.5f, 0.5f);
    return s;
  };
  auto a = make(), b = make();
  for (auto* s : {a.get(), b.get()}) {
    int i = 0;
    for (auto& nb : s->named_buffers()) nb.tensor.from_vector(random_vec(static_cast<size_t>(nb.tensor.numel()), 140 + i++, 0.5f, 1.5f));
  }
  b->set_fusion(false);
  a->eval();
  b->eval();
  Tensor x = Tensor::from_vector({2, 3, 9, 7}, random_vec(378, 131));
  EXPECT_TRUE(close(a->forward(x).to_vector(), b->forward(x).to_vector(), 1e-4));
}

TEST(Module, TrainingFusionMatchesUnfused) {
  auto make = [] {
    auto s = conv_bn_relu(3, 5);
    randomize(*s, 150);
    return s;
  };
  auto a = make(), b = make();
  b->set_fusion(false);
  Tensor x = Tensor::from_vector({2, 3, 6, 7}, random_vec(252, 151));
  EXPECT_TRUE(close(a->forward(x).to_vector(), b->forward(x).to_vector(), 1e-5));
  Tensor dy = Tensor::from_vector({2, 5, 6, 7}, random_vec(420, 152));
  a->zero_grad();
  b->zero_grad();
  EXPECT_TRUE(close(a->backward(dy).to_vector(), b->backward(dy).to_vector(), 1e-4));
  auto pa = a->named_parameters(), pb = b->named_parameters();
  for (std::size_t i = 0; i < pa.size(); ++i)
    EXPECT_TRUE(close(pa[i].param->grad.to_vector(), pb[i].param->grad.to_vector(), 1e-4)) << pa[i].name;
}

TEST(Module, Bf16NetworkTracksF32) {
  if (!bf16_supported()) GTEST_SKIP();
  auto a = unet_block(), b = unet_block();
  randomize(*a, 160);
  randomize(*b, 160);
  b->set_dtype(DType::bf16);
  Tensor x = Tensor::from_vector({2, 2, 8, 8}, random_vec(256, 161));
  Vec ya = a->forward(x).to_vector(), yb = b->forward(x).to_vector();
  EXPECT_TRUE(close(yb, ya, 6e-2));
  Tensor dy = Tensor::from_vector({2, 3, 8, 8}, random_vec(384, 162));
  a->zero_grad();
  b->zero_grad();
  a->backward(dy);
  b->backward(dy);
  auto pa = a->named_parameters(), pb = b->named_parameters();
  for (std::size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(pb[i].param->grad.dtype(), DType::f32) << "master grads stay f32";
    Vec ga = pa[i].param->grad.to_vector(), gb = pb[i].param->grad.to_vector();
    // Conv biases before BN have a true gradient of 0: compare against the weight-gradient scale.
    double scale = 0;
    for (float v : pa[i > 0 && pa[i].name.ends_with(".bias") ? i - 1 : i].param->grad.to_vector()) scale = std::max(scale, std::abs(static_cast<double>(v)));
    for (std::size_t k = 0; k < ga.size(); ++k)
      EXPECT_NEAR(gb[k], ga[k], 0.08 * scale + 0.05 * std::abs(ga[k])) << pa[i].name << "[" << k << "]";
  }
}

TEST(Module, NeedsInputGradFalseSkipsFirstLayerData) {
  Sequential s;
  s.emplace<Conv2d>("c1", 3, 4, 3, 1, 1);
  s.emplace<ReLU>("r1");
  s.set_needs_input_grad(false);
  randomize(s, 170);
  Tensor y = s.forward(Tensor::from_vector({1, 3, 4, 4}, random_vec(48, 171)));
  EXPECT_FALSE(s.backward(Tensor::from_vector(y.dims(), random_vec(64, 172))).defined());
  EXPECT_FALSE(s.at(0).needs_input_grad());
}

}  // namespace
}  // namespace cvpipe::nn
