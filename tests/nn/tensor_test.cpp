// Tensor and context basics: plain/blocked/bf16 round trips, aliasing, reshape views, errors.
#include <gtest/gtest.h>

#include "cvpipe/nn/context.hpp"
#include "cvpipe/nn/parameter.hpp"
#include "cvpipe/nn/tensor.hpp"
#include "support/nn_test_util.hpp"

namespace cvpipe::nn {
namespace {

using namespace testing;
using tag = dnnl::memory::format_tag;

TEST(Tensor, RoundTripsThroughBlockedAndBf16Layouts) {
  Vec v = random_vec(3 * 5 * 7 * 9, 1);
  Tensor t = Tensor::from_vector({3, 5, 7, 9}, v);
  EXPECT_TRUE(t.is_plain());
  EXPECT_EQ(t.numel(), 945);
  EXPECT_EQ(t.to_vector(), v);
  Tensor b = t.reorder_to(dnnl::memory::desc({3, 5, 7, 9}, dnnl::memory::data_type::f32, tag::nChw16c));
  EXPECT_FALSE(b.is_plain());
  EXPECT_GT(b.raw_size(), static_cast<std::size_t>(b.numel())) << "5 channels padded to 16";
  EXPECT_EQ(b.to_vector(), v);
  EXPECT_EQ(b.plain().to_vector(), v);
  Tensor h = b.to(DType::bf16);
  EXPECT_EQ(h.dtype(), DType::bf16);
  EXPECT_EQ(h.to_vector(), round_bf16(v));
  Tensor z = Tensor::zeros(b.desc());
  z.from_vector(v);
  EXPECT_EQ(z.to_vector(), v);
  EXPECT_THROW(b.data<float>(), Error);
  EXPECT_THROW(h.plain(DType::bf16).data<float>(), Error);
  EXPECT_THROW(t.from_vector(Vec(3, 0.f)), Error);
  EXPECT_THROW(Tensor::zeros({2, 0, 3}), Error);
  EXPECT_NE(b.describe().find("blocks"), std::string::npos) << b.describe();
}

TEST(Tensor, CopiesAliasClonesDoNot) {
  Tensor a = Tensor::from_vector({2, 3}, Vec{1, 2, 3, 4, 5, 6});
  Tensor alias = a;
  Tensor deep = a.clone();
  a.data<float>()[0] = 42.f;
  EXPECT_EQ(alias.to_vector()[0], 42.f);
  EXPECT_EQ(deep.to_vector()[0], 1.f);
  Tensor r = a.reshape({3, 2});
  EXPECT_EQ(r.dims(), (Dims{3, 2}));
  EXPECT_EQ(r.raw(), a.raw());
  a = Tensor();  // the view keeps the buffer alive
  EXPECT_EQ(r.to_vector(), (Vec{42, 2, 3, 4, 5, 6}));
  EXPECT_THROW(r.reshape({4, 2}), Error);
  Tensor f = Tensor::zeros({2, 2});
  f.fill(0.5f);
  EXPECT_EQ(f.to_vector(), (Vec{0.5f, 0.5f, 0.5f, 0.5f}));
  EXPECT_FALSE(Tensor().defined());
  EXPECT_EQ(Tensor().numel(), 0);
}

TEST(Parameter, PlainF32ValueAndGradWithVersion) {
  Parameter p("weight", {4, 3, 2, 2});
  EXPECT_TRUE(p.value.is_plain());
  EXPECT_TRUE(same_desc(p.value, p.grad));
  EXPECT_EQ(p.numel(), 48);
  auto v0 = p.version;
  p.mark_updated();
  EXPECT_EQ(p.version, v0 + 1);
  p.grad.fill(1.f);
  p.zero_grad();
  EXPECT_EQ(p.grad.to_vector(), Vec(48, 0.f));
}

TEST(Context, ThreadsAndScratchpad) {
  int before = num_threads();
  set_num_threads(1);
  EXPECT_EQ(num_threads(), 1);
  set_num_threads(before);
  EXPECT_EQ(num_threads(), before);
  EXPECT_EQ(primitive_attr().get_scratchpad_mode(), dnnl::scratchpad_mode::user);
  // Flush-to-zero is on in the calling thread: a denormal product becomes 0.
  volatile float tiny = 1e-30f;
  volatile float r = tiny * 1e-10f;
  EXPECT_EQ(r, 0.f);
}

}  // namespace
}  // namespace cvpipe::nn
